import { SpecError, defaultOrchestration, type SweepGrid, type SweepOrchestration, type SweepSpec, type SweepTrainSettings } from './sweep-spec';
import { asObject, fail, rejectUnknownKeys } from './spec-fields';
import { validateReplicate } from './replicate-spec';
import { defaultMaxTrials, defaultTrainSettings, regularizerNames, trainingLimits, type IntegerLimit, type RegularizerName } from './training-limits';

/*
 * Hand-written rather than schema-library based: this runs inside Temporal's
 * deterministic workflow sandbox, and every message must name the field, the
 * allowed range and the value given, in one line.
 */

function finiteNumber(value: unknown, field: string, requirement: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, requirement, value);
  return value;
}

function integerIn(value: unknown, field: string, { min, max }: IntegerLimit): number {
  const requirement = `an integer in [${min}, ${max}]`;
  const n = finiteNumber(value, field, requirement);
  if (!Number.isInteger(n) || n < min || n > max) fail(field, requirement, value);
  return n;
}

function positiveInteger(value: unknown, field: string, max: number): number {
  return integerIn(value, field, { min: 1, max });
}

function axis(value: unknown, field: string, check: (v: unknown, f: string) => number): number[] {
  if (!Array.isArray(value)) fail(field, 'a non-empty array', value);
  if (value.length === 0) throw new SpecError(field, `${field} must be a non-empty array, got []`);
  const seen = new Set<number>();
  return value.map((v, i) => {
    const n = check(v, `${field}[${i}]`);
    if (seen.has(n)) throw new SpecError(`${field}[${i}]`, `${field} must not repeat values, got ${n} twice`);
    seen.add(n);
    return n;
  });
}

const dropoutRate = (v: unknown, f: string): number => {
  const n = finiteNumber(v, f, 'a number in [0, 1)');
  return n >= 0 && n < 1 ? n : fail(f, 'in [0, 1)', v);
};
const weightDecay = (v: unknown, f: string): number => {
  const n = finiteNumber(v, f, 'a finite number >= 0');
  return n >= 0 ? n : fail(f, 'a finite number >= 0', v);
};
const seed = (v: unknown, f: string): number => integerIn(v, f, trainingLimits.seed);

const learningRate = (v: unknown, f: string): number => {
  const n = finiteNumber(v, f, 'a finite number > 0');
  return n > 0 ? n : fail(f, 'a finite number > 0', v);
};

/** A non-empty array of distinct choices, each checked by `check`. */
function choiceAxis<T extends string | boolean>(value: unknown, field: string, check: (v: unknown, f: string) => T): T[] {
  if (!Array.isArray(value)) fail(field, 'a non-empty array', value);
  if (value.length === 0) throw new SpecError(field, `${field} must be a non-empty array, got []`);
  const seen = new Set<T>();
  return value.map((v, i) => {
    const choice = check(v, `${field}[${i}]`);
    if (seen.has(choice)) throw new SpecError(`${field}[${i}]`, `${field} must not repeat values, got ${JSON.stringify(choice)} twice`);
    seen.add(choice);
    return choice;
  });
}

const regularizer = (v: unknown, f: string): RegularizerName =>
  typeof v === 'string' && (regularizerNames as readonly string[]).includes(v)
    ? (v as RegularizerName)
    : fail(f, `one of ${regularizerNames.map((n) => `"${n}"`).join(', ')}`, v);
const flag = (v: unknown, f: string): boolean => (typeof v === 'boolean' ? v : fail(f, 'true or false', v));

/** The optional variant axes are left out when absent, so a spec that omits them validates to what it did before they existed. */
function parseGrid(value: unknown, train: SweepTrainSettings, trainGivesLr: boolean): SweepGrid {
  const g = asObject(value, 'grid');
  const keys = ['dropout1', 'dropout2', 'weightDecay', 'epochs', 'regularizer', 'batchNorm', 'lr'] as const;
  rejectUnknownKeys(g, keys, 'grid');
  const grid: SweepGrid = {
    dropout1: axis(g.dropout1, 'grid.dropout1', dropoutRate),
    dropout2: axis(g.dropout2, 'grid.dropout2', dropoutRate),
    weightDecay: axis(g.weightDecay, 'grid.weightDecay', weightDecay),
    epochs: axis(g.epochs, 'grid.epochs', (v, f) => integerIn(v, f, trainingLimits.epochs)),
  };
  if (g.regularizer !== undefined) grid.regularizer = choiceAxis(g.regularizer, 'grid.regularizer', regularizer);
  if (g.batchNorm !== undefined) grid.batchNorm = choiceAxis(g.batchNorm, 'grid.batchNorm', flag);
  if (g.lr !== undefined) {
    if (trainGivesLr) {
      throw new SpecError(
        'grid.lr',
        `grid.lr and train.lr are both given (train.lr = ${train.lr}); keep one: grid.lr to sweep learning rates, train.lr for a single one`,
      );
    }
    grid.lr = axis(g.lr, 'grid.lr', learningRate);
  }
  return grid;
}

function parseTrain(value: unknown): SweepTrainSettings {
  if (value === undefined) return { ...defaultTrainSettings, hidden: [...defaultTrainSettings.hidden] };
  const t = asObject(value, 'train');
  rejectUnknownKeys(t, ['lr', 'batchSize', 'hidden', 'trainSubset', 'evalDropoutSamples'], 'train');
  const lr = t.lr === undefined ? defaultTrainSettings.lr : learningRate(t.lr, 'train.lr');
  const hiddenValue = t.hidden ?? defaultTrainSettings.hidden;
  if (!Array.isArray(hiddenValue) || hiddenValue.length !== 2) {
    fail('train.hidden', 'an array of two layer sizes (the model has two hidden layers)', hiddenValue);
  }
  const hidden: [number, number] = [
    integerIn(hiddenValue[0], 'train.hidden[0]', trainingLimits.hidden),
    integerIn(hiddenValue[1], 'train.hidden[1]', trainingLimits.hidden),
  ];
  const subset = t.trainSubset ?? null;
  const settings: SweepTrainSettings = {
    lr,
    batchSize: t.batchSize === undefined ? defaultTrainSettings.batchSize : integerIn(t.batchSize, 'train.batchSize', trainingLimits.batchSize),
    hidden,
    trainSubset: subset === null ? null : integerIn(subset, 'train.trainSubset', trainingLimits.trainSubset),
  };
  if (t.evalDropoutSamples !== undefined) {
    settings.evalDropoutSamples = integerIn(t.evalDropoutSamples, 'train.evalDropoutSamples', trainingLimits.evalDropoutSamples);
  }
  return settings;
}

function parseOrchestration(value: unknown): SweepOrchestration {
  if (value === undefined) return { ...defaultOrchestration };
  const o = asObject(value, 'orchestration');
  rejectUnknownKeys(o, Object.keys(defaultOrchestration), 'orchestration');
  const seconds = (key: keyof SweepOrchestration): number =>
    o[key] === undefined ? (defaultOrchestration[key] as number) : positiveInteger(o[key], `orchestration.${key}`, 86_400);
  const maxAttempts =
    o.maxAttempts === undefined ? defaultOrchestration.maxAttempts : finiteNumber(o.maxAttempts, 'orchestration.maxAttempts', 'an integer >= 0');
  if (!Number.isInteger(maxAttempts) || maxAttempts < 0) fail('orchestration.maxAttempts', 'an integer >= 0', o.maxAttempts);
  const queue = o.trainTaskQueue ?? defaultOrchestration.trainTaskQueue;
  if (typeof queue !== 'string' || queue.trim() === '') fail('orchestration.trainTaskQueue', 'a non-empty string', queue);
  return {
    heartbeatTimeoutSeconds: seconds('heartbeatTimeoutSeconds'),
    retryInitialSeconds: seconds('retryInitialSeconds'),
    retryMaxSeconds: seconds('retryMaxSeconds'),
    maxAttempts,
    trainTaskQueue: queue,
  };
}

/**
 * Validates a parsed spec and fills defaults.
 * @throws SpecError naming the field, the allowed range and the value given.
 */
export function validateSpec(input: unknown, options: { maxTrials?: number } = {}): SweepSpec {
  const s = asObject(input, 'spec');
  rejectUnknownKeys(s, ['name', 'grid', 'seeds', 'train', 'maxParallel', 'orchestration', 'replicate'], '');
  if (typeof s.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(s.name)) {
    fail('name', '1-100 characters of letters, digits, ".", "_" or "-"', s.name);
  }
  const train = parseTrain(s.train);
  const trainGivesLr = typeof s.train === 'object' && s.train !== null && (s.train as Record<string, unknown>).lr !== undefined;
  const spec: SweepSpec = {
    name: s.name,
    grid: parseGrid(s.grid, train, trainGivesLr),
    seeds: axis(s.seeds, 'seeds', seed),
    train,
    maxParallel: s.maxParallel === undefined ? 8 : positiveInteger(s.maxParallel, 'maxParallel', 1000),
    orchestration: parseOrchestration(s.orchestration),
  };
  if (s.replicate !== undefined) {
    spec.replicate = validateReplicate(s.replicate, { gridEpochs: spec.grid.epochs, configCount: countConfigs(spec.grid), seedCount: spec.seeds.length });
  }
  const cap = options.maxTrials ?? defaultMaxTrials;
  const trials = countTrials(spec);
  if (trials > cap) {
    throw new SpecError('grid', `the grid has ${trials} trials, more than the cap of ${cap}; shrink an axis or raise REGSWEEP_MAX_TRIALS`);
  }
  return spec;
}

/** Configurations of a grid: every combination of its axes but epochs (and seeds). */
export function countConfigs(g: SweepGrid): number {
  const variants = (g.regularizer?.length ?? 1) * (g.batchNorm?.length ?? 1) * (g.lr?.length ?? 1);
  return variants * g.dropout1.length * g.dropout2.length * g.weightDecay.length;
}

export function countTrials(spec: Pick<SweepSpec, 'grid' | 'seeds'>): number {
  return countConfigs(spec.grid) * spec.grid.epochs.length * spec.seeds.length;
}

/** Parses JSON text and validates it; a syntax error becomes a SpecError too. */
export function parseSpecJson(text: string, options: { maxTrials?: number } = {}): SweepSpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SpecError('spec', `spec is not valid JSON: ${(err as Error).message}`);
  }
  return validateSpec(parsed, options);
}
