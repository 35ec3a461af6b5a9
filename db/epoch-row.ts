import type { NewTrainedEpochMetrics } from './epoch-metrics.table';
import type { EpochMetrics } from '../training/train';

/**
 * The `epoch_metrics` row of one trained epoch: the training engine's camelCase metrics in
 * snake_case. The test-time dropout accuracies and their time are there only when the run
 * evaluates with test-time dropout; otherwise they stay null.
 */
export function toEpochRow(runId: string, m: EpochMetrics, worker: string): NewTrainedEpochMetrics {
  return {
    run_id: runId,
    epoch: m.epoch,
    train_loss: m.trainLoss,
    train_acc: m.trainAcc,
    train_acc_eval: m.trainAccEval,
    test_loss: m.testLoss,
    test_acc: m.testAcc,
    test_count: m.testCount,
    gap: m.gap,
    act_var1: m.actVar1,
    act_var2: m.actVar2,
    weight_norm1: m.weightNorm1,
    weight_norm2: m.weightNorm2,
    weight_norm3: m.weightNorm3,
    seconds: m.seconds,
    eval_seconds: m.evalSeconds,
    samples_per_sec: m.samplesPerSec,
    backend: m.backend,
    worker,
    test_acc_dropout: m.testAccDropout ?? null,
    test_acc_mc_dropout: m.testAccMcDropout ?? null,
    eval_dropout_seconds: m.evalDropoutSeconds ?? null,
  };
}
