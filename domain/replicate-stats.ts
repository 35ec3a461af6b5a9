/**
 * The statistics behind adaptive seeds (docs/adaptive-seeds.md): Student's t distribution for
 * the ordinary interval, and the scale-invariant normal-mixture e-process for the mean of
 * Gaussian observations with unknown variance (Lai 1976; Pérez-Ortiz, Lardy, de Heide and
 * Grünwald 2024), which stays valid however often it is looked at. Pure arithmetic.
 */

const lanczos = [
  676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = 0.99999999999980993;
  lanczos.forEach((c, i) => (sum += c / (z + i + 1)));
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (const num of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** Two-sided p-value of Student's t with `df` degrees of freedom: P(|T| ≥ |t|). */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/** The t with P(|T| ≥ t) = `twoSidedP` (e.g. 0.05 gives the 97.5% quantile). */
export function studentTCritical(twoSidedP: number, df: number): number {
  let lo = 0;
  let hi = 1;
  while (studentTTwoSidedP(hi, df) > twoSidedP) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTTwoSidedP(mid, df) > twoSidedP) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * ln of the e-value after `n` observations whose t-statistic against the tested mean is `t`.
 *
 * It is the Bayes factor of N(δσ, σ²) with δ ~ N(0, g) against N(0, σ²), with the right-Haar
 * prior dσ/σ on the unknown scale under both: (1 + n g)^(-1/2) · (1 − a·t²/(ν + t²))^(−n/2),
 * a = n g / (1 + n g), ν = n − 1. Under the null it is a nonnegative martingale with mean 1
 * whatever σ is, so by Ville's inequality it ever reaches 1/α with probability at most α.
 * `t` may be ±Infinity (every observation equal and nonzero).
 */
export function tMixtureLogE(n: number, t: number, g: number): number {
  if (n < 2) return 0;
  const nu = n - 1;
  const u = Number.isFinite(t) ? (t * t) / (nu + t * t) : 1;
  const a = (n * g) / (1 + n * g);
  return -0.5 * Math.log1p(n * g) - (n / 2) * Math.log1p(-a * u);
}

/**
 * The |t| at which the e-value after `n` observations reaches 1/`level`; Infinity when it
 * cannot at this n (then the confidence sequence is still the whole line).
 */
export function tMixtureCritical(n: number, level: number, g: number): number {
  if (n < 2) return Number.POSITIVE_INFINITY;
  const a = (n * g) / (1 + n * g);
  // Solve −½ ln(1+ng) − (n/2) ln(1 − a u) = ln(1/level) for u = t²/(ν + t²).
  const u = -Math.expm1((-2 / n) * (Math.log(1 / level) + 0.5 * Math.log1p(n * g))) / a;
  if (!(u < 1)) return Number.POSITIVE_INFINITY;
  return Math.sqrt(((n - 1) * u) / (1 - u));
}

/**
 * The mixture scale g that makes the boundary narrowest at `n` observations for `level`,
 * found on a log grid then refined. It depends on the spec only, never on the data, which is
 * what keeps the e-process valid. If no g gives a finite boundary at `n`, the next n that
 * allows one is used.
 */
export function tMixtureScale(n: number, level: number): number {
  for (let at = Math.max(2, n); ; at++) {
    let best = Number.NaN;
    let bestT = Number.POSITIVE_INFINITY;
    for (let e = -3; e <= 9; e += 0.05) {
      const t = tMixtureCritical(at, level, 10 ** e);
      if (t < bestT) [best, bestT] = [e, t];
    }
    if (Number.isNaN(best)) continue;
    // Golden-section search on log10 g around the best grid point.
    let lo = best - 0.05;
    let hi = best + 0.05;
    const f = (e: number): number => tMixtureCritical(at, level, 10 ** e);
    const r = (Math.sqrt(5) - 1) / 2;
    for (let i = 0; i < 40; i++) {
      const x1 = hi - r * (hi - lo);
      const x2 = lo + r * (hi - lo);
      if (f(x1) <= f(x2)) hi = x2;
      else lo = x1;
    }
    return 10 ** ((lo + hi) / 2);
  }
}
