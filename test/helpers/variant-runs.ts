import type { Dataset } from '../../training/fashion-mnist';
import { train, type Checkpoint, type EpochMetrics } from '../../training/train';
import { withTrainDefaults, type TrainConfigInput } from '../../training/train-config';

/*
 * The short real-data run the regularizer-variant tests train on every engine: small enough for
 * seconds per run, with a partial last minibatch so resume crosses one.
 */

/** 300 images in batches of 64: five minibatches an epoch, the last a partial one of 44; evaluation covers all 10,000 test images. */
export const variantRunBase = { dropout1: 0.2, dropout2: 0.5, weightDecay: 1e-3, seed: 7, trainSubset: 300, batchSize: 64 } as const;

/** Epoch metrics without their wall-clock fields, which differ between two identical runs. */
export function withoutTiming(metrics: EpochMetrics[]): Array<Partial<EpochMetrics>> {
  return metrics.map(({ seconds: _s, evalSeconds: _e, samplesPerSec: _r, ...rest }) => rest);
}

/** Trains `input` on `data` (from `resumeFrom` when given), returning its metrics and every epoch's checkpoint. */
export async function trainCollecting(data: Dataset, input: TrainConfigInput, resumeFrom: Checkpoint | null = null) {
  const checkpoints: Checkpoint[] = [];
  const metrics = await train(withTrainDefaults(input), data, { onEpoch: (_m, checkpoint) => void checkpoints.push(checkpoint) }, resumeFrom);
  return { metrics, checkpoints };
}
