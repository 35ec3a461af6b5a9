import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fullEpoch } from './engine-report';
import { gemmFlopsPerImage } from './gemm-flops';

/**
 * How fast the MLP's matrix products could possibly run on this machine: bench/cpu-peak.c's
 * float32 FMA peak (a loop with no memory traffic, the best of a few runs) on the native engine's
 * thread count, and the seconds a full epoch's GEMM FLOP would take at that rate. No engine can
 * train or evaluate faster than these floors without doing fewer or cheaper floating-point
 * operations, so a goal below them is out of reach on this CPU whatever the code does.
 */
export interface ArithmeticFloor {
  /** Float32 lanes of the widest FMA the CPU has (16: AVX-512, 8: AVX2). */
  lanes: number;
  threads: number;
  /** Runs of the FMA loop the peak is the best of. */
  fmaRuns: number;
  fmaGflops: { oneCore: number; threads: number };
  /** OpenBLAS's sgemm on the evaluation's 5,000x784x256 product: whole on one thread, and as the engine's 512-row blocks on `threads`. */
  sgemmGflops: { oneThread: number; threads: number };
  /** A full epoch's GEMM FLOP (60,000 training images) at the FMA peak on `threads`. */
  trainSecondsAtPeak: number;
  /** An evaluation's GEMM FLOP (the 60,000 training and 10,000 test images) at the same peak. */
  evalSecondsAtPeak: number;
}

const script = fileURLToPath(new URL('cpu-peak.sh', import.meta.url));

type CpuPeak = Pick<ArithmeticFloor, 'lanes' | 'threads' | 'fmaRuns' | 'fmaGflops' | 'sgemmGflops'>;

function isCpuPeak(value: unknown): value is CpuPeak {
  const v = value as CpuPeak;
  const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;
  return (
    typeof value === 'object' &&
    value !== null &&
    positive(v.lanes) &&
    positive(v.threads) &&
    positive(v.fmaRuns) &&
    positive(v.fmaGflops?.oneCore) &&
    positive(v.fmaGflops?.threads) &&
    positive(v.sgemmGflops?.oneThread) &&
    positive(v.sgemmGflops?.threads)
  );
}

/** The floors for `threads` threads, or why they could not be measured (no compiler, no OpenBLAS headers, no FMA). */
export function measureArithmeticFloor(threads: number, env: NodeJS.ProcessEnv = process.env): ArithmeticFloor | { skipped: string } {
  const run = spawnSync('bash', [script, '--threads', String(threads), '--json'], { encoding: 'utf8', env, timeout: 120_000 });
  const lastLine = (text: string | null) => (text ?? '').trim().split('\n').at(-1) ?? '';
  if (run.status !== 0) return { skipped: `bench/cpu-peak.sh failed: ${lastLine(run.stderr) || run.error?.message || `exit ${run.status}`}` };
  let peak: unknown;
  try {
    peak = JSON.parse(lastLine(run.stdout));
  } catch {
    peak = null;
  }
  if (!isCpuPeak(peak)) return { skipped: `bench/cpu-peak.sh printed no measurement: ${lastLine(run.stdout)}` };
  return { ...peak, ...floorsAt(peak.fmaGflops.threads) };
}

/** Seconds of a full epoch's training and evaluation GEMM FLOP at `gflops`. */
export function floorsAt(gflops: number): { trainSecondsAtPeak: number; evalSecondsAtPeak: number } {
  const flops = gemmFlopsPerImage([256, 256]);
  return {
    trainSecondsAtPeak: (fullEpoch.trainImages * flops.train) / (gflops * 1e9),
    evalSecondsAtPeak: (fullEpoch.evalImages * flops.forward) / (gflops * 1e9),
  };
}
