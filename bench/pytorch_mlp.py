"""The d2l dropout MLP in PyTorch, timed the way regsweep times an epoch (bench/pytorch-comparison.ts).

Reads what the benchmark wrote into the folder given as the only argument: plan.json, the
training and test images (float32, already in [0, 1]) and labels (uint8), and per seed the
initial weights and the shuffled order of every epoch, all raw little-endian arrays. So both
sides start from the same weights and see the same minibatches; only the dropout masks come
from torch's own generator. Prints one JSON object: every epoch's training and evaluation
seconds, its test accuracy and training loss, and which BLAS served the products.
"""

import ctypes
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def blas_in_use():
    """The BLAS libraries this process mapped (after symlinks), and OpenBLAS's kernel set when loaded."""
    mapped = set()
    with open('/proc/self/maps') as maps:
        for line in maps:
            path = line.split()[-1] if '/' in line else ''
            if 'blas' in os.path.basename(path) or 'lapack' in os.path.basename(path):
                mapped.add(os.path.realpath(path))
    info = {'libraries': sorted(mapped)}
    libblas = [p for p in mapped if os.path.basename(p).startswith('libblas.so')]
    if libblas:
        # Debian's libblas.so.3 is an alternative: OpenBLAS's copy lives under openblas-*/, the
        # reference (netlib) one under blas/.
        info['libblas'] = libblas[0]
        info['kind'] = 'OpenBLAS' if 'openblas' in libblas[0] else 'reference BLAS (netlib)'
    openblas = [p for p in mapped if 'openblas' in p]
    if openblas:
        try:
            lib = ctypes.CDLL(openblas[0])
            lib.openblas_get_corename.restype = ctypes.c_char_p
            info['openblasCore'] = lib.openblas_get_corename().decode()
            info['openblasThreads'] = lib.openblas_get_num_threads()
        except (OSError, AttributeError):
            pass
    return info


def raw(folder, name, dtype, shape):
    return torch.from_numpy(np.fromfile(os.path.join(folder, name), dtype=dtype).reshape(shape))


def main(folder):
    with open(os.path.join(folder, 'plan.json')) as f:
        plan = json.load(f)
    pixels, hidden, classes = 784, plan['hidden'], 10
    train_x = raw(folder, 'train-images.f32', np.float32, (plan['trainCount'], pixels))
    train_y = raw(folder, 'train-labels.u8', np.uint8, (plan['trainCount'],)).long()
    test_x = raw(folder, 'test-images.f32', np.float32, (plan['testCount'], pixels))
    test_y = raw(folder, 'test-labels.u8', np.uint8, (plan['testCount'],)).long()
    shapes = [(pixels, hidden[0]), (hidden[0],), (hidden[0], hidden[1]), (hidden[1],), (hidden[1], classes), (classes,)]
    chunk = plan['evalChunkRows']

    def evaluate(params, x, y):
        """Summed loss and hits in inference mode, chunk by chunk, as train() scores a split."""
        w1, b1, w2, b2, w3, b3 = params
        loss, hits = 0.0, 0
        for start in range(0, x.shape[0], chunk):
            xc, yc = x[start:start + chunk], y[start:start + chunk]
            h = F.relu(torch.addmm(b1, xc, w1))
            h = F.relu(torch.addmm(b2, h, w2))
            logits = torch.addmm(b3, h, w3)
            loss += F.cross_entropy(logits, yc, reduction='sum').item()
            hits += (logits.argmax(1) == yc).sum().item()
        return loss, hits

    runs = []
    with torch.no_grad():
        warm = torch.zeros(8, pixels)
        torch.mm(warm, torch.zeros(pixels, 8))
    for seed in plan['seeds']:
        torch.manual_seed(seed)
        flat = np.fromfile(os.path.join(folder, f'init-{seed}.f32'), dtype=np.float32)
        params, offset = [], 0
        for shape in shapes:
            size = int(np.prod(shape))
            params.append(torch.from_numpy(flat[offset:offset + size].reshape(shape).copy()).requires_grad_(True))
            offset += size
        orders = np.fromfile(os.path.join(folder, f'orders-{seed}.i32'), dtype=np.int32).reshape(plan['epochs'], -1)
        epochs = []
        for epoch in range(plan['epochs']):
            order = torch.from_numpy(orders[epoch].astype(np.int64))
            started = time.perf_counter()
            loss_sum = 0.0
            for first in range(0, order.shape[0], plan['batchSize']):
                rows = order[first:first + plan['batchSize']]
                x, y = train_x[rows], train_y[rows]
                w1, b1, w2, b2, w3, b3 = params
                h = F.dropout(F.relu(torch.addmm(b1, x, w1)), plan['dropout1'], training=True)
                h = F.dropout(F.relu(torch.addmm(b2, h, w2)), plan['dropout2'], training=True)
                loss = F.cross_entropy(torch.addmm(b3, h, w3), y)
                for p in params:
                    p.grad = None
                loss.backward()
                with torch.no_grad():
                    for p in params:
                        p.sub_(p.grad, alpha=plan['lr'])
                loss_sum += loss.item() * rows.shape[0]
            seconds = time.perf_counter() - started
            started = time.perf_counter()
            with torch.no_grad():
                evaluate(params, train_x, train_y)
                test_loss, test_hits = evaluate(params, test_x, test_y)
                w1, b1, w2, b2, _, _ = [p.detach() for p in params]
                probe = test_x[:plan['probeRows']]
                h1 = F.relu(torch.addmm(b1, probe, w1))
                h2 = F.relu(torch.addmm(b2, h1, w2))
                _ = (h1.var(unbiased=False).item(), h2.var(unbiased=False).item())
            eval_seconds = time.perf_counter() - started
            epochs.append({
                'epoch': epoch + 1,
                'seconds': seconds,
                'evalSeconds': eval_seconds,
                'trainLoss': loss_sum / order.shape[0],
                'testAcc': test_hits / plan['testCount'],
            })
        runs.append({'seed': seed, 'epochs': epochs})
    print(json.dumps({
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'blas': blas_in_use(),
        'runs': runs,
    }))


if __name__ == '__main__':
    main(sys.argv[1])
