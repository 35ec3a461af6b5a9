import type { AccuracySummary } from './accuracy-summary';
import type { BatchPreparation } from './batch-preparation';
import type { EngineReport } from './engine-report';
import type { EpochSharing } from './epoch-sharing';
import type { MachineInfo } from './machine-info';
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
  accuracy: AccuracySummary;
  stepAgreement: StepAgreement | { skipped: string };
  batchPreparation: BatchPreparation;
  sweep: { spec: string; measurements: SweepMeasurement[] } | { skipped: string };
  epochSharing: EpochSharing;
}
