import type { AccuracySummary } from './accuracy-summary';
import type { ArithmeticFloor } from './arithmetic-floor';
import type { BatchPreparation } from './batch-preparation';
import type { EngineReport } from './engine-report';
import type { EpochSharing } from './epoch-sharing';
import type { MachineInfo } from './machine-info';
import type { NativeSetting, PytorchReport, SharedMachine } from './native-report';
import type { StepAgreement } from './step-agreement';
import type { SweepMeasurement } from './sweep-throughput';

/** The shape of bench/results.json (test/bench checks it). */
export interface BenchResults {
  version: 1;
  mode: 'full' | 'quick';
  at: string;
  machine: MachineInfo;
  loadAverage: { start: number[]; end: number[] };
  /** CPU pressure (percent of time some task waited for a CPU) at start and end; null entries where Linux PSI is unavailable. */
  cpuPressure: { start: { avg10: number; avg60: number } | null; end: { avg10: number; avg60: number } | null };
  /** How each engine's numbers were produced. */
  workload: {
    seeds: number[];
    epochs: number;
    trainImages: number;
    batchSize: number;
    baselineTrainImages: number;
    gemmFlopPerTrainImage: number;
    gemmFlopPerEvalImage: number;
  };
  engines: EngineReport[];
  /**
   * The native engine with the kernel set regsweep picks for this CPU (the `native` engine row),
   * and with the environment's OPENBLAS_CORETYPE where that pins another.
   */
  nativeKernelSets: NativeSetting[];
  /** The native engine training the regularizer variants and batch norm, one seed each. */
  nativeVariants: NativeSetting[];
  /** Two native training processes at once, OPENBLAS_NUM_THREADS split between them. */
  sharedMachine: SharedMachine;
  /** PyTorch on the same model, weights and minibatches, timed in the same run; skipped where it is not installed. */
  pytorch: PytorchReport;
  /** This CPU's float32 FMA peak on native's thread count and the epoch times it allows; skipped without the native engine. */
  arithmeticFloor: ArithmeticFloor | { skipped: string };
  accuracy: AccuracySummary;
  stepAgreement: StepAgreement | { skipped: string };
  batchPreparation: BatchPreparation;
  sweep: { spec: string; measurements: SweepMeasurement[] } | { skipped: string };
  epochSharing: EpochSharing;
}
