/**
 * Training K compatible runs together (docs/training.md, "Batched runs"): runs that share the
 * seed, the data and the architecture see the same minibatches in the same order, so they are
 * stacked (training/batched-mlp.ts) and every step trains all of them. Each run keeps its own
 * outcome: its own epochs' metrics and checkpoints through its own callbacks, and its own end —
 * a run that diverges, whose callback throws (cancellation) or that reaches its epochs leaves
 * the stack, and the others carry on exactly as before.
 */
import * as tf from '@tensorflow/tfjs';
import { sharedStepKey } from '../domain/dispatch-order';
import { buildStackedMlp, type StackedMlp, type StackedRunSettings } from './batched-mlp';
import { createBatchSource, disposeBatch, rangeIndices, uploadEvalSet } from './batching';
import { decodeWeights, encodeWeights, type WeightArray } from './checkpoint-codec';
import { checkMinibatchLoss } from './divergence';
import { frobeniusNorm } from './evaluate';
import { balancedSubset, type Dataset } from './fashion-mnist';
import { imagePixels, classCount } from './idx-format';
import { mlpParamNames } from './mlp';
import { createRng, deriveSeed, randomStreams } from './seeded-random';
import { checkDataset, evalChunkRows, probeRows, trainSubsetSeed, type Checkpoint, type EpochMetrics, type TrainCallbacks } from './train';
import { validateTrainConfig, type TrainConfig } from './train-config';
import { CheckpointError, TrainConfigError, TrainingDivergedError } from './training-errors';

/** One run of a batched unit: its config, its callbacks (as train() takes them) and its checkpoint. */
export interface BatchedRunRequest {
  config: TrainConfig;
  callbacks?: TrainCallbacks;
  resumeFrom?: Checkpoint | null;
}

/** How one run of a batched unit ended: what train() would have returned, or what it would have thrown. */
export type BatchedRunOutcome = { ok: true; metrics: EpochMetrics[] } | { ok: false; error: unknown };

/**
 * The key under which runs may be trained together, or null when a run must train alone:
 * everything but the per-run settings (dropout1, dropout2, weightDecay, lr, epochs) must match,
 * and so must the checkpoint's epoch, since runs at different epochs see different minibatches.
 * Fields added to TrainConfig later join the key by themselves. The stacked model implements
 * d2l's dropout without batch norm and without test-time dropout passes; other runs train alone.
 *
 * @throws TrainConfigError for an invalid config.
 */
export function batchGroupKey(config: TrainConfig, resumeFrom: Checkpoint | null): string | null {
  const valid = validateTrainConfig(config);
  if (valid.regularizer !== 'dropout' || valid.batchNorm || valid.evalDropoutSamples > 0) return null;
  return `${sharedStepKey(valid)} from epoch ${resumeFrom?.epoch ?? 0}`;
}

interface Member {
  /** Position in the caller's requests. */
  index: number;
  config: ReturnType<typeof validateTrainConfig>;
  callbacks: TrainCallbacks;
  metrics: EpochMetrics[];
  lossSum: number;
  correct: number;
  outcome: BatchedRunOutcome | null;
}

/** The six d2l tensors with a single run's shapes, or CheckpointError naming what differs. */
function checkpointWeights(checkpoint: Checkpoint, hidden: readonly [number, number]): WeightArray[] {
  const weights = decodeWeights(checkpoint.weights);
  const [h1, h2] = hidden;
  const expected: Record<string, number[]> = { W1: [imagePixels, h1], b1: [h1], W2: [h1, h2], b2: [h2], W3: [h2, classCount], b3: [classCount] };
  const names = weights.map((w) => w.name);
  if (names.length !== mlpParamNames.length || !mlpParamNames.every((n) => names.includes(n))) {
    throw new CheckpointError(`checkpoint holds tensors ${names.join(', ')}; a batched run needs exactly ${mlpParamNames.join(', ')}`);
  }
  for (const w of weights) {
    const shape = expected[w.name]!;
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(
        `checkpoint tensor ${w.name} has shape [${w.shape.join(', ')}], the model needs [${shape.join(', ')}] (hidden ${hidden.join('x')})`,
      );
    }
  }
  return weights;
}

/**
 * Trains `requests` together, each from its checkpoint (or from scratch) to its own `epochs`,
 * calling each run's callbacks as train() would. The runs must share one {@link batchGroupKey};
 * each ends on its own, and its outcome is what train() would have given it: its metrics, or
 * the error that stopped it (TrainingDivergedError, CheckpointError, a callback's throw). Every
 * run's metrics agree with its single-run training within float32 rounding of the stacked
 * products (docs/training.md states the tolerance). Frees every tensor it creates.
 *
 * @throws TrainConfigError when the runs cannot share a step (different keys, or a run that must train alone).
 */
export async function trainBatched(requests: readonly BatchedRunRequest[], data: Dataset): Promise<BatchedRunOutcome[]> {
  const keys = requests.map((r) => batchGroupKey(r.config, r.resumeFrom ?? null));
  if (keys.some((k) => k === null || k !== keys[0])) {
    throw new TrainConfigError(
      'runs trained together must share seed, data, architecture and checkpoint epoch, with regularizer dropout, no batch norm and no test-time dropout passes; train the others alone',
      'config',
    );
  }
  checkDataset(data);
  const outcomes: BatchedRunOutcome[] = requests.map(() => ({ ok: true, metrics: [] }));
  if (requests.length === 0) return outcomes;
  const shared = validateTrainConfig(requests[0]!.config);
  const startEpoch = requests[0]!.resumeFrom?.epoch ?? 0;
  const members: Member[] = [];
  const starting: Array<{ member: Member; weights: WeightArray[] | null }> = [];
  requests.forEach((request, index) => {
    const config = validateTrainConfig(request.config);
    const member: Member = { index, config, callbacks: request.callbacks ?? {}, metrics: [], lossSum: 0, correct: 0, outcome: null };
    try {
      if (startEpoch > config.epochs) {
        throw new TrainConfigError(
          `epochs must be at least the checkpoint's epoch to resume from it: checkpoint epoch ${startEpoch}, epochs ${config.epochs}`,
          'epochs',
        );
      }
      if (startEpoch === config.epochs) return; // already trained: no metrics, as train() returns
      starting.push({ member, weights: request.resumeFrom ? checkpointWeights(request.resumeFrom, shared.hidden) : null });
      members.push(member);
    } catch (error) {
      outcomes[index] = { ok: false, error };
    }
  });
  if (members.length === 0) return outcomes;

  const subset = shared.trainSubset === null ? rangeIndices(data.trainCount) : balancedSubset(data.trainLabels, shared.trainSubset, trainSubsetSeed);
  const owned: Array<{ dispose(): void }> = [];
  let active = [...members];
  const settle = (member: Member, outcome: BatchedRunOutcome): void => {
    if (member.outcome === null) member.outcome = outcome;
  };
  const settings = (m: Member): StackedRunSettings => ({
    dropout1: m.config.dropout1,
    dropout2: m.config.dropout2,
    weightDecay: m.config.weightDecay,
    lr: m.config.lr,
  });
  try {
    const stack: StackedMlp = buildStackedMlp({ seed: shared.seed, hidden: shared.hidden, initStd: shared.initStd }, active.map(settings));
    owned.push(stack);
    starting.forEach(({ weights }, k) => weights !== null && stack.assignRunWeights(k, weights));
    // Runs that ended leave the stack, so a cancelled or diverged run costs nothing from then on.
    const compact = (): void => {
      const keep = active.flatMap((m, k) => (m.outcome === null ? [k] : []));
      if (keep.length < active.length && keep.length > 0) stack.keepRuns(keep);
      active = keep.map((k) => active[k]!);
    };
    const source = createBatchSource(data.trainImages, data.trainLabels);
    owned.push(source);
    const trainEval = uploadEvalSet(data.trainImages, data.trainLabels, subset, evalChunkRows);
    owned.push(trainEval);
    const testEval = uploadEvalSet(data.testImages, data.testLabels, rangeIndices(data.testCount), evalChunkRows);
    owned.push(testEval);
    const probeCount = Math.min(probeRows, data.testCount);
    const probe = tf.tensor2d(data.testImages.subarray(0, probeCount * imagePixels), [probeCount, imagePixels]);
    owned.push(probe);

    for (let epoch = startEpoch + 1; active.length > 0; epoch++) {
      const trainStart = performance.now();
      const order = createRng(deriveSeed(shared.seed, randomStreams.shuffle, epoch)).shuffleInPlace(subset.slice());
      const batches = Math.ceil(order.length / shared.batchSize);
      active.forEach((m) => ((m.lossSum = 0), (m.correct = 0)));
      for (let b = 0; b < batches && active.length > 0; b++) {
        const batch = source.batch(order, b * shared.batchSize, Math.min(order.length, (b + 1) * shared.batchSize));
        try {
          const step = stack.step(batch, epoch, b);
          active.forEach((m, k) => {
            try {
              checkMinibatchLoss(step.lossSums[k]! / batch.rows, epoch, b + 1);
              m.lossSum += step.lossSums[k]!;
              m.correct += step.correct[k]!;
            } catch (error) {
              settle(m, { ok: false, error });
            }
          });
        } finally {
          disposeBatch(batch);
        }
        await Promise.all(
          active
            .filter((m) => m.outcome === null)
            .map(async (m) => {
              try {
                await m.callbacks.onBatch?.({ epoch, batch: b + 1, batches });
              } catch (error) {
                settle(m, { ok: false, error });
              }
            }),
        );
        compact();
      }
      if (active.length === 0) break;
      const seconds = (performance.now() - trainStart) / 1000;

      const evalStart = performance.now();
      const trainScores = stack.evaluate(trainEval);
      const testScores = stack.evaluate(testEval);
      const variances = stack.activationVariances(probe);
      const evalSeconds = (performance.now() - evalStart) / 1000;
      const weights = stack.readRunWeights();
      await Promise.all(
        active.map(async (m, k) => {
          const own = weights[k]!;
          const broken = own.find((w) => !w.data.every(Number.isFinite));
          if (broken !== undefined) {
            settle(m, {
              ok: false,
              error: new TrainingDivergedError(
                epoch,
                null,
                broken.name,
                broken.data.find((v) => !Number.isFinite(v))!,
              ),
            });
            return;
          }
          const norm = (name: string): number => frobeniusNorm(own.find((w) => w.name === name)!.data);
          const metrics: EpochMetrics = {
            epoch,
            trainLoss: m.lossSum / subset.length,
            trainAcc: m.correct / subset.length,
            trainAccEval: trainScores[k]!.acc,
            testLoss: testScores[k]!.loss,
            testAcc: testScores[k]!.acc,
            testCount: data.testCount,
            gap: trainScores[k]!.acc - testScores[k]!.acc,
            actVar1: variances[k]![0],
            actVar2: variances[k]![1],
            weightNorm1: norm('W1'),
            weightNorm2: norm('W2'),
            weightNorm3: norm('W3'),
            // The unit's wall-clock time: every run of it trained for that long.
            seconds,
            evalSeconds,
            samplesPerSec: subset.length / seconds,
            backend: tf.getBackend(),
          };
          m.metrics.push(metrics);
          try {
            await m.callbacks.onEpoch?.(metrics, { epoch, weights: encodeWeights(own) });
            if (epoch >= m.config.epochs) settle(m, { ok: true, metrics: m.metrics });
          } catch (error) {
            settle(m, { ok: false, error });
          }
        }),
      );
      compact();
    }
  } catch (error) {
    // A failure of the unit itself (the backend, memory) ends every run still in it.
    for (const m of active) settle(m, { ok: false, error });
  } finally {
    owned.reverse().forEach((resource) => resource.dispose());
  }
  for (const m of members) outcomes[m.index] = m.outcome ?? { ok: true, metrics: m.metrics };
  return outcomes;
}
