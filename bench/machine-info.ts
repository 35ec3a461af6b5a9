import { readFileSync } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { loadNativeKernels } from '../native/native-addon';

/** The machine a benchmark ran on, so numbers from different machines are not confused. */
export interface MachineInfo {
  /** `model name` from /proc/cpuinfo, plus family and model numbers when the name is generic. */
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  tfjs: string;
  /** OpenBLAS as the native engine loads it, or why it does not. */
  openblas: { config: string; core: string; threads: number; coreChoice: string } | { unavailable: string };
}

function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim();
    return `${field('model name') ?? 'unknown'} (family ${field('cpu family') ?? '?'}, model ${field('model') ?? '?'})`;
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  const load = loadNativeKernels();
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    tfjs: tf.version.tfjs,
    openblas: load.ok
      ? { ...load.kernels.blasInfo(), threads: load.kernels.threads(), coreChoice: load.blasCore.reason }
      : { unavailable: load.reason },
  };
}

/** The 1-, 5- and 15-minute load averages, rounded: other work on the machine skews timings. */
export function loadAverage(): number[] {
  return os.loadavg().map((value) => Number(value.toFixed(2)));
}

/**
 * Linux's CPU pressure (PSI): the share of the last 10 and 60 seconds in which some runnable
 * task waited for a CPU, in percent. Unlike the load average it shows contention from other
 * work directly; null where /proc/pressure is missing.
 */
export function cpuPressure(): { avg10: number; avg60: number } | null {
  try {
    const some = /^some avg10=([\d.]+) avg60=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return some ? { avg10: Number(some[1]), avg60: Number(some[2]) } : null;
  } catch {
    return null;
  }
}
