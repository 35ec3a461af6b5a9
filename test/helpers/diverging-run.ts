import { withTrainDefaults } from '../../training/train-config';

/**
 * A run that surely diverges, found with `regsweep train --lr 30 --dropout1 0 --dropout2 0
 * --train-subset 2000 --backend wasm`: epoch 1 ends with a training loss of about 3e20, and the
 * third minibatch of epoch 2 overflows to NaN (on wasm; about two seconds).
 */
export const divergingConfig = withTrainDefaults({ dropout1: 0, dropout2: 0, weightDecay: 0, seed: 1, epochs: 4, lr: 30, trainSubset: 2000 });

/** Where {@link divergingConfig} diverges. */
export const divergingAt = { epoch: 2, batch: 3 } as const;
