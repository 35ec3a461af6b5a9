import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateReplicate } from '../../domain/replicate-spec';
import { SpecError } from '../../domain/sweep-spec';

const block = (): Record<string, unknown> => ({
  metric: 'test_acc',
  epochs: 20,
  compare: 'vs-control',
  target: { decide: true, alpha: 0.05 },
  minSeeds: 3,
  maxSeeds: 20,
  seedsPerRound: 2,
  maxRuns: 500,
});

function rejects(mutate: (b: Record<string, any>) => void, message: RegExp, field: string, context = {}): void {
  const b: Record<string, any> = block();
  mutate(b);
  assert.throws(
    () => validateReplicate(b, context),
    (err: unknown) => err instanceof SpecError && err.field === field && message.test(err.message) && !err.message.includes('\n'),
  );
}

test('validateReplicate accepts a full block unchanged', () => {
  assert.deepEqual(validateReplicate(block(), { gridEpochs: [5, 10, 20], configCount: 27 }), block());
});

test('validateReplicate fills metric, minSeeds, maxSeeds and seedsPerRound defaults', () => {
  const r = validateReplicate({ epochs: 10, compare: 'each-config', target: { halfWidth: 0.003 }, maxRuns: 100 });
  assert.deepEqual(r, {
    metric: 'test_acc',
    epochs: 10,
    compare: 'each-config',
    target: { halfWidth: 0.003 },
    minSeeds: 3,
    maxSeeds: 20,
    seedsPerRound: 2,
    maxRuns: 100,
  });
  assert.equal(validateReplicate({ ...block(), minSeeds: 25, maxSeeds: undefined }).maxSeeds, 25);
});

test('validateReplicate names the field, the requirement and the value given', () => {
  rejects((b) => (b.metric = 'loss'), /^replicate\.metric must be one of "test_acc", "gap", got "loss"$/, 'replicate.metric');
  rejects((b) => (b.compare = 'pairs'), /^replicate\.compare must be one of "vs-control", "all-pairs", "each-config", got "pairs"$/, 'replicate.compare');
  rejects((b) => (b.epochs = 0), /^replicate\.epochs must be an integer in \[1, 10000\], got 0$/, 'replicate.epochs');
  rejects((b) => (b.minSeeds = 1), /^replicate\.minSeeds must be an integer in \[2, 1000\], got 1$/, 'replicate.minSeeds');
  rejects((b) => (b.maxSeeds = 2), /^replicate\.maxSeeds must be an integer in \[minSeeds = 3, 1000\], got 2$/, 'replicate.maxSeeds');
  rejects((b) => (b.seedsPerRound = 0), /^replicate\.seedsPerRound must be an integer in \[1, maxSeeds = 20\], got 0$/, 'replicate.seedsPerRound');
  rejects((b) => (b.seedsPerRound = 2.5), /got 2\.5$/, 'replicate.seedsPerRound');
  rejects((b) => delete b.maxRuns, /^replicate\.maxRuns must be an integer in \[1, 10000000\], got undefined$/, 'replicate.maxRuns');
  rejects((b) => (b.seeds = [1, 2]), /^replicate\.seeds is not a known setting; allowed keys are metric, epochs, /, 'replicate.seeds');
  assert.throws(() => validateReplicate([1]), /^SpecError: replicate must be an object, got an array$/);
});

test('validateReplicate checks the target shape', () => {
  rejects((b) => (b.target = { halfWidth: 0 }), /^replicate\.target\.halfWidth must be a number in \(0, 1\], got 0$/, 'replicate.target.halfWidth');
  rejects((b) => (b.target = { decide: true, alpha: 0.7 }), /^replicate\.target\.alpha must be a number in \(0, 0\.5\], got 0\.7$/, 'replicate.target.alpha');
  rejects((b) => (b.target = { decide: true }), /alpha must be a number in \(0, 0\.5\], got undefined$/, 'replicate.target.alpha');
  rejects((b) => (b.target = { decide: false, alpha: 0.05 }), /^replicate\.target\.decide must be true/, 'replicate.target.decide');
  rejects((b) => (b.target = { halfWidth: 0.01, alpha: 0.05 }), /^replicate\.target\.alpha is not a known setting/, 'replicate.target.alpha');
  rejects(
    (b) => (b.target = {}),
    /^replicate\.target must be \{"halfWidth": h\} or \{"decide": true, "alpha": a\}, got an object with keys none$/,
    'replicate.target',
  );
  rejects(
    (b) => (b.compare = 'each-config'),
    /^replicate\.target\.decide needs compare "vs-control" or "all-pairs" .*got "each-config"$/,
    'replicate.target.decide',
  );
});

test('validateReplicate checks epochs and maxRuns against the grid when it is given', () => {
  rejects((b) => (b.epochs = 15), /^replicate\.epochs must be one of the grid's epochs \(5, 10, 20\), got 15$/, 'replicate.epochs', {
    gridEpochs: [5, 10, 20],
  });
  rejects((b) => (b.maxRuns = 80), /^replicate\.maxRuns must be at least configurations × minSeeds = 27 × 3 = 81, got 80$/, 'replicate.maxRuns', {
    configCount: 27,
  });
  assert.equal(validateReplicate({ ...block(), maxRuns: 81 }, { configCount: 27 }).maxRuns, 81);
});
