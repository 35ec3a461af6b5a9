import { readFileSync } from 'node:fs';

/**
 * OpenBLAS picks its CPU kernels once, when the library loads, from the CPU's family and model
 * numbers, or from `OPENBLAS_CORETYPE` when that is set. A CPU newer than the OpenBLAS build
 * falls through to `Prescott` (SSE3): Debian 12's OpenBLAS 0.3.21 does so on Emerald Rapids
 * Xeons, where training then ran 2–3x slower than with the AVX-512 `SkylakeX` kernels
 * (docs/performance.md). Choosing from the CPU's feature flags instead of its model number
 * avoids that cliff.
 */

/** The kernel set to ask OpenBLAS for, and why. */
export interface BlasCoreChoice {
  /** The OPENBLAS_CORETYPE value to set, or null to leave OpenBLAS's own detection alone. */
  coreType: string | null;
  reason: string;
}

// The flags each kernel set executes; SkylakeX's sgemm needs the AVX-512 foundation plus the
// byte/word, doubleword/quadword and vector-length extensions.
const avx512Flags = ['avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512cd'];
const avx2Flags = ['avx2', 'fma'];

/**
 * The kernel set for a CPU with these /proc/cpuinfo flags: `SkylakeX` with AVX-512, `Haswell`
 * with AVX2 and FMA, otherwise none (OpenBLAS's detection is as good as anything then). An
 * explicit `OPENBLAS_CORETYPE` always wins: it is the operator's choice.
 */
export function chooseBlasCore(flags: ReadonlySet<string>, configured: string | undefined): BlasCoreChoice {
  if (configured !== undefined && configured.trim() !== '') {
    return { coreType: null, reason: `OPENBLAS_CORETYPE=${configured} set in the environment` };
  }
  if (avx512Flags.every((flag) => flags.has(flag))) {
    return { coreType: 'SkylakeX', reason: 'the CPU has AVX-512' };
  }
  if (avx2Flags.every((flag) => flags.has(flag))) {
    return { coreType: 'Haswell', reason: 'the CPU has AVX2 and FMA' };
  }
  return { coreType: null, reason: 'the CPU has neither AVX-512 nor AVX2, so OpenBLAS detects its kernels itself' };
}

/** The feature flags of the first processor in a /proc/cpuinfo text (empty when none are listed). */
export function parseCpuFlags(cpuinfo: string): Set<string> {
  const line = cpuinfo.split('\n').find((l) => /^flags\s*:/.test(l));
  return new Set(
    line === undefined
      ? []
      : line
          .slice(line.indexOf(':') + 1)
          .trim()
          .split(/\s+/),
  );
}

/** This machine's CPU flags; empty where /proc/cpuinfo does not exist (macOS, containers without /proc). */
export function readCpuFlags(): Set<string> {
  try {
    return parseCpuFlags(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return new Set();
  }
}

/**
 * Sets OPENBLAS_CORETYPE in `env` from the CPU's flags unless it is already set. Must run
 * before the addon (and with it libopenblas) is loaded: OpenBLAS reads the variable once, in
 * its load-time constructor, so this is the one place regsweep writes to the environment.
 */
export function applyBlasCore(env: NodeJS.ProcessEnv, flags: ReadonlySet<string>): BlasCoreChoice {
  const choice = chooseBlasCore(flags, env.OPENBLAS_CORETYPE);
  if (choice.coreType !== null) env.OPENBLAS_CORETYPE = choice.coreType;
  return choice;
}
