import { withTrainDefaults } from '../../training/train-config';

/**
 * A run that surely diverges by exploding, found by printing every minibatch's mean loss of
 * this config on wasm: epoch 1 stays below the exploding-loss limit (its worst minibatch
 * reaches about 261 nats, ending the epoch at a valid result), and the first minibatch of
 * epoch 2 jumps to about 50,200 nats. About two seconds.
 */
export const divergingConfig = withTrainDefaults({ dropout1: 0, dropout2: 0, weightDecay: 0, seed: 1, epochs: 4, lr: 8, trainSubset: 2000 });

/** Where {@link divergingConfig} diverges. */
export const divergingAt = { epoch: 2, batch: 1 } as const;

/** The start of the message {@link divergingConfig}'s divergence is recorded with. */
export const divergingMessage = /^training diverged at epoch 2, batch 1: training loss is 5\d{4}(\.\d+)?, at most 1000 nats per example is required/;

/**
 * A run whose loss overflows straight to NaN: at lr 1e30 the first update multiplies the weights
 * by about 1e30, so the second minibatch's logits overflow float32 (on wasm).
 */
export const nanConfig = withTrainDefaults({ dropout1: 0, dropout2: 0, weightDecay: 0, seed: 1, epochs: 2, lr: 1e30, trainSubset: 2000 });

/** Where {@link nanConfig} diverges. */
export const nanAt = { epoch: 1, batch: 2 } as const;
