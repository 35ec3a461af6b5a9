/*
 * What each dashboard panel's query returns for the real fixture sweep
 * (test/helpers/real-sweep-fixture.ts): dropout1, dropout2 ∈ {0, 0.5}, weight decay ∈ {0, 0.001},
 * seeds {1, 2}, epochs {2, 3}, 16 runs. Keyed by `<dashboard uid>/<panel title>`.
 */

export type PgType = 'int4' | 'int8' | 'float8' | 'text' | 'timestamptz' | 'bool';
export const typeNames: Record<number, PgType> = { 16: 'bool', 20: 'int8', 23: 'int4', 25: 'text', 701: 'float8', 1184: 'timestamptz' };
export const numeric = new Set<PgType>(['int4', 'int8', 'float8']);

export interface Result {
  columns: Array<{ name: string; type: PgType }>;
  rows: unknown[][];
}

export interface Expected {
  /** Rows per query (per repeated panel). */
  rows: number;
  /** Column name → Postgres type, in column order. */
  columns: Record<string, PgType>;
}

const f8 = 'float8' as const;
const i8 = 'int8' as const;
const i4 = 'int4' as const;
const text = 'text' as const;
const curves = (names: string[]): Expected => ({ rows: 3, columns: { epoch: i4, ...Object.fromEntries(names.map((n) => [n, f8])) } });
const withAndWithout = (label: string): string[] => [`${label}, no dropout`, `${label}, dropout`];

export const expected: Record<string, Expected> = {
  'regsweep-overview/Runs by status': { rows: 1, columns: { done: i8, running: i8, pending: i8, failed: i8, cancelled: i8, diverged: i8 } },
  'regsweep-overview/Epochs trained': { rows: 1, columns: { 'epochs trained': f8 } },
  'regsweep-overview/Trials, runs and time': { rows: 1, columns: { trials: i4, runs: i4, elapsed: f8, 'time left (one worker)': f8 } },
  'regsweep-overview/Best configurations at $epochs epochs': {
    rows: 8,
    columns: { dropout1: f8, dropout2: f8, 'weight decay': f8, n: i4, diverged: i4, 'test accuracy': f8, '95% CI': text, 'vs best': text, 'train-test gap': f8 },
  },
  'regsweep-overview/Runs per worker and backend': {
    rows: 1,
    columns: { 'worker / backend': text, done: i8, running: i8, failed: i8, 'waiting or cancelled': i8 },
  },
  // A fixed-seed sweep has no adaptive-seed rows; replicate-panels.test.ts checks them on an adaptive one.
  'regsweep-overview/Adaptive seeds: runs used': { rows: 0, columns: { rounds: i4, 'runs used': i4, 'at maxSeeds everywhere': i4, saved: i4 } },
  'regsweep-overview/Adaptive seeds: comparisons': {
    rows: 0,
    columns: { comparison: text, status: text, n: i4, seeds: i4, 'seeds (other)': i4, difference: f8, interval: text, 'p (anytime)': f8, round: i4 },
  },
  'regsweep-overview/Diverged runs at $epochs epochs': {
    rows: 8,
    columns: { dropout1: f8, dropout2: f8, 'weight decay': f8, 'seeds finished': i4, diverged: i4, rate: f8, '95% CI (Clopper–Pearson)': text },
  },
  'regsweep-overview/Throughput per worker': {
    rows: 1,
    columns: { worker: text, backend: text, 'epochs trained': i8, 'images per second': f8, 'seconds per epoch': f8, 'last epoch at': 'timestamptz' },
  },
  'regsweep-overview/Training throughput over time': { rows: 48, columns: { time: 'timestamptz', metric: text, value: f8 } },
  'regsweep-overview/Runs': {
    rows: 16,
    columns: {
      '#': i4,
      dropout1: f8,
      dropout2: f8,
      'weight decay': f8,
      seed: i4,
      status: text,
      progress: f8,
      epochs: i4,
      attempts: i4,
      worker: text,
      backend: text,
      'time left': f8,
      'diverged at': i4,
      error: text,
    },
  },
  'regsweep-effects/Each configuration against the control at $epochs epochs': {
    rows: 14,
    columns: {
      metric: text,
      configuration: text,
      control: text,
      n: i4,
      difference: f8,
      '95% CI': text,
      'diverged (left out)': i4,
      test: text,
      p: f8,
      'p (Holm)': f8,
      family: i4,
      verdict: text,
    },
  },
  'regsweep-effects/Do configurations differ by more than seed noise at $epochs epochs?': {
    rows: 2,
    columns: {
      metric: text,
      configurations: i4,
      runs: i4,
      'diverged (left out)': i4,
      'seed sd': f8,
      F: f8,
      df1: i4,
      df2: i4,
      p: f8,
      reading: text,
    },
  },
  'regsweep-effects/Test accuracy, weight decay $weight_decay': { rows: 4, columns: { dropout1: text, dropout2: text, 'test accuracy': text } },
  'regsweep-effects/Train−test gap, weight decay $weight_decay': { rows: 4, columns: { dropout1: text, dropout2: text, 'train-test gap': text } },
  'regsweep-effects/Effect of dropout1 on test accuracy': { rows: 2, columns: { dropout1: f8, effect: f8, 'CI low': f8, 'CI high': f8 } },
  'regsweep-effects/Effect of dropout2 on test accuracy': { rows: 2, columns: { dropout2: f8, effect: f8, 'CI low': f8, 'CI high': f8 } },
  'regsweep-effects/Effect of weight decay on test accuracy': { rows: 2, columns: { weight_decay: f8, effect: f8, 'CI low': f8, 'CI high': f8 } },
  'regsweep-effects/Main effects at $epochs epochs': {
    rows: 6,
    columns: {
      axis: text,
      level: f8,
      n: i8,
      'test accuracy': f8,
      'test accuracy effect': f8,
      'effect CI low': f8,
      'effect CI high': f8,
      'gap effect': f8,
      'gap effect CI low': f8,
      'gap effect CI high': f8,
    },
  },
  'regsweep-effects/Effects on test accuracy: separate and together': {
    rows: 3,
    columns: { configuration: text, 'dropout alone': f8, 'decay alone': f8, 'sum of the two': f8, together: f8 },
  },
  'regsweep-effects/Dropout × weight decay: additive or not?': {
    rows: 3,
    columns: {
      dropout1: f8,
      dropout2: f8,
      'weight decay': f8,
      n: i4,
      'diverged (left out)': i4,
      'dropout alone': f8,
      'decay alone': f8,
      'sum of the two': f8,
      together: f8,
      interaction: f8,
      'interaction CI low': f8,
      'interaction CI high': f8,
      test: text,
      p: f8,
      'p (Holm)': f8,
      family: i4,
      verdict: text,
    },
  },
  'regsweep-effects/Does swapping dropout1 and dropout2 matter?': {
    rows: 4,
    columns: {
      metric: text,
      'weight decay': f8,
      a: f8,
      b: f8,
      n: i4,
      'diverged (left out)': i4,
      '(d1, d2) = (a, b)': f8,
      '(d1, d2) = (b, a)': f8,
      difference: f8,
      'CI low': f8,
      'CI high': f8,
      test: text,
      p: f8,
      'p (Holm)': f8,
      family: i4,
      verdict: text,
    },
  },
  // The real sweep has one variant and no test-time dropout, so these return no rows here; their
  // columns and types are checked, and the views' values against hand computations in test/db/variant-views.test.ts.
  'regsweep-effects/Variants against the base variant at $epochs epochs': {
    rows: 0,
    columns: {
      metric: text,
      variant: text,
      'base variant': text,
      configuration: text,
      n: i4,
      'diverged (left out)': i4,
      'variant mean': f8,
      'base mean': f8,
      difference: f8,
      '95% CI': text,
      test: text,
      p: f8,
      'p (Holm)': f8,
      family: i4,
      verdict: text,
    },
  },
  'regsweep-effects/Dropout at test time, $variant, $epochs epochs': {
    rows: 0,
    columns: {
      configuration: text,
      passes: i4,
      seeds: i4,
      'diverged (left out)': i4,
      'inference mode': f8,
      'one pass': f8,
      'MC average': f8,
      'MC − inference': f8,
      'MC − inference 95% CI': text,
      'one pass − inference': f8,
      'one pass − inference 95% CI': text,
    },
  },
  'regsweep-dynamics/Loss per epoch, with and without dropout': curves([...withAndWithout('train loss'), ...withAndWithout('test loss')]),
  'regsweep-dynamics/Accuracy per epoch, with and without dropout': curves([...withAndWithout('train accuracy'), ...withAndWithout('test accuracy')]),
  'regsweep-dynamics/Train−test gap per epoch, with and without dropout': curves(withAndWithout('gap')),
  'regsweep-dynamics/Hidden activation variance per layer': curves([
    'layer 1, dropped out',
    'layer 1, no dropout',
    'layer 2, dropped out',
    'layer 2, no dropout',
  ]),
  'regsweep-dynamics/Weight norms, weight decay $weight_decay': curves(['W1', 'W2', 'W3']),
};
