import { TrainingDivergedError } from './training-errors';

/**
 * The largest mean cross-entropy of a minibatch, in nats per example, that a run may report
 * and still be trained on.
 *
 * A 10-class model at chance scores ln 10 ≈ 2.3 nats, and the d2l model falls from there to
 * about 0.3. Runs at a learning rate near the edge of stability spike and recover: on the
 * 2,000-image subset with dropout off and seed 1, lr 3 peaks at 50 nats and lr 8 at 261 within
 * epoch 1. Past about 103 nats the true class's probability is below float32's smallest
 * subnormal (e^-103.3) for the average example, so no probability the model outputs means
 * anything any more; 1,000 nats is ten times that, four times the worst spike measured, and
 * exploding runs cross it within a batch or two (lr 8 jumps from 192 to 50,200, lr 30 from 22
 * to 187,000) and then either overflow to NaN or sit as a dead network at chance accuracy with
 * finite weights, which without this limit would be recorded as a valid result.
 */
export const explodingLossLimit = 1000;

/**
 * Stops a run whose minibatch loss shows it has diverged: NaN or ±Infinity, or finite but
 * above {@link explodingLossLimit}.
 *
 * @param meanLoss the minibatch's training-mode mean cross-entropy, in nats per example.
 * @param epoch 1-based epoch of the minibatch.
 * @param batch 1-based minibatch within the epoch.
 * @throws TrainingDivergedError with quantity `training loss` and the mean loss as its value.
 */
export function checkMinibatchLoss(meanLoss: number, epoch: number, batch: number): void {
  if (!Number.isFinite(meanLoss)) {
    throw new TrainingDivergedError(epoch, batch, 'training loss', meanLoss);
  }
  if (meanLoss > explodingLossLimit) {
    throw new TrainingDivergedError(
      epoch,
      batch,
      'training loss',
      meanLoss,
      `at most ${explodingLossLimit} nats per example is required to continue (no healthy run comes near it)`,
    );
  }
}
