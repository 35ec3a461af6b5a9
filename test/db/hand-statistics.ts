/*
 * Reference statistics for checking the SQL views, written independently of the SQL:
 * plain loops, t quantiles copied from tables, and the Student-t CDF in the closed form
 * for integer degrees of freedom (Abramowitz & Stegun 26.7.3 and 26.7.4) rather than the
 * incomplete beta function the database uses.
 */

/** t_{0.975, df} for the degrees of freedom the fixtures produce. */
export const t975: Readonly<Record<number, number>> = { 1: 12.706204736174705, 2: 4.302652729749464 };

export function mean(xs: readonly number[]): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Sample standard deviation (n − 1 in the denominator); null below two values. */
export function sd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  let squares = 0;
  for (const x of xs) squares += (x - m) * (x - m);
  return Math.sqrt(squares / (xs.length - 1));
}

/** 95% t-interval for the mean; null below two values. */
export function ci95(xs: readonly number[]): { low: number; high: number } | null {
  const s = sd(xs);
  if (s === null) return null;
  const q = t975[xs.length - 1];
  if (q === undefined) throw new Error(`no t quantile for df = ${xs.length - 1}`);
  const half = (q * s) / Math.sqrt(xs.length);
  return { low: mean(xs) - half, high: mean(xs) + half };
}

/** P(|T| >= |t|) for Student's t with integer df, by the finite trigonometric series. */
export function tTwoSidedP(t: number, df: number): number {
  const theta = Math.atan(Math.abs(t) / Math.sqrt(df));
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  let a: number;
  if (df % 2 === 1) {
    let term = c;
    let sum = df === 1 ? 0 : c;
    for (let k = 3; k <= df - 2; k += 2) {
      term *= ((k - 1) / k) * c * c;
      sum += term;
    }
    a = (2 / Math.PI) * (theta + s * sum);
  } else {
    let term = 1;
    let sum = 1;
    for (let k = 2; k <= df - 2; k += 2) {
      term *= ((k - 1) / k) * c * c;
      sum += term;
    }
    a = s * sum;
  }
  return 1 - a;
}

/** One-sample t-test of mean zero (a paired test when xs are differences). */
export function pairedTest(xs: readonly number[]): { t: number; p: number } | null {
  const s = sd(xs);
  if (s === null || s === 0) return null;
  const t = mean(xs) / (s / Math.sqrt(xs.length));
  return { t, p: tTwoSidedP(t, xs.length - 1) };
}

/** Holm's step-down adjustment; nulls stay null and do not count towards m. */
export function holm(ps: readonly (number | null)[]): (number | null)[] {
  const order = ps
    .map((p, i) => ({ p, i }))
    .filter((e): e is { p: number; i: number } => e.p !== null)
    .sort((a, b) => a.p - b.p);
  const m = order.length;
  const out: (number | null)[] = ps.map(() => null);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

/**
 * Exact two-sided sign-flip p-value of mean zero: every sign pattern enumerated by recursion,
 * p = share whose |sum| reaches the observed |sum| (within 1e-12 of Σ|d|, the SQL's tie rule).
 */
export function signFlipP(diffs: readonly number[]): number {
  const observed = Math.abs(diffs.reduce((a, b) => a + b, 0));
  const slack = 1e-12 * diffs.reduce((a, b) => a + Math.abs(b), 0);
  let hits = 0;
  const visit = (i: number, sum: number): void => {
    if (i === diffs.length) {
      if (Math.abs(sum) >= observed - slack) hits++;
      return;
    }
    visit(i + 1, sum + diffs[i]!);
    visit(i + 1, sum - diffs[i]!);
  };
  visit(0, 0);
  return hits / 2 ** diffs.length;
}

/**
 * P(F > f) for F on (df1, df2) degrees of freedom with df1 even, from the finite sum
 * I_x(a, b) = x^a Σ_{j<b} Γ(a+j) / (Γ(a) j!) (1−x)^j with x = df2 / (df2 + df1·f), a = df2/2, b = df1/2.
 */
export function fUpperPEvenDf1(f: number, df1: number, df2: number): number {
  if (df1 % 2 !== 0) throw new Error(`df1 must be even, got ${df1}`);
  const x = df2 / (df2 + df1 * f);
  const a = df2 / 2;
  let term = 1;
  let sum = 1;
  for (let j = 1; j < df1 / 2; j++) {
    term *= ((a + j - 1) / j) * (1 - x);
    sum += term;
  }
  return x ** a * sum;
}

/** One-way ANOVA by its definition: F, df1 and df2 over groups of observations. */
export function oneWayAnova(groups: readonly (readonly number[])[]): { f: number; df1: number; df2: number } {
  const all = groups.flat();
  const grand = mean(all);
  const between = groups.reduce((s, g) => s + g.length * (mean(g) - grand) ** 2, 0);
  const within = groups.reduce((s, g) => s + g.reduce((t, x) => t + (x - mean(g)) ** 2, 0), 0);
  const df1 = groups.length - 1;
  const df2 = all.length - groups.length;
  return { f: between / df1 / (within / df2), df1, df2 };
}
