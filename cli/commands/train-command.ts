import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import {
  d2lRunDefaults,
  defaultBatchNorm,
  defaultEvalDropoutSamples,
  defaultRegularizer,
  defaultTrainSettings,
  regularizerNames,
  type RegularizerName,
} from '../../domain/training-limits';
import { describeActiveEngine, parseBackendName, selectBackend } from '../../training/backends';
import { fetchDataset } from '../../training/fetch-dataset';
import { loadDatasetCached, locateDataset } from '../../training/fashion-mnist';
import { train, type EpochMetrics } from '../../training/train';
import { validateTrainConfig } from '../../training/train-config';
import { UsageError } from '../cli-errors';
import type { CommandContext } from '../command-context';
import { renderRows } from '../table-output';

function num(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got ${JSON.stringify(value)}`);
    return n;
  };
}

interface TrainFlags {
  dropout1: number;
  dropout2: number;
  weightDecay: number;
  epochs: number;
  seed: number;
  lr: number;
  batchSize: number;
  hidden: string;
  trainSubset?: number;
  regularizer: string;
  batchNorm?: boolean;
  evalDropoutSamples: number;
  backend?: string;
  json?: boolean;
}

/**
 * d2l's values for the settings a sweep varies (its grid axes and seeds), which therefore have
 * no sweep default; `regsweep train` falls back to them. The settings a sweep shares, and every
 * bound, come from domain/training-limits.ts.
 */
const rounded = (m: EpochMetrics): Record<string, unknown> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v]));

export function registerTrainCommand(program: Command, ctx: CommandContext): void {
  program
    .command('train')
    .description('train one configuration here: no Temporal, no database')
    .option('--dropout1 <p>', 'dropout after the first hidden layer', num('--dropout1'), d2lRunDefaults.dropout1)
    .option('--dropout2 <p>', 'dropout after the second hidden layer', num('--dropout2'), d2lRunDefaults.dropout2)
    .option('--weight-decay <w>', 'L2 penalty on weights (not biases)', num('--weight-decay'), d2lRunDefaults.weightDecay)
    .option('--epochs <n>', 'epochs to train', num('--epochs'), d2lRunDefaults.epochs)
    .option('--seed <n>', 'seed of every random stream', num('--seed'), d2lRunDefaults.seed)
    .option('--lr <lr>', 'SGD learning rate', num('--lr'), defaultTrainSettings.lr)
    .option('--batch-size <n>', 'minibatch size', num('--batch-size'), defaultTrainSettings.batchSize)
    .option('--hidden <a,b>', 'hidden layer sizes', defaultTrainSettings.hidden.join(','))
    .option('--train-subset <n>', 'train on a class-balanced subset of n images', num('--train-subset'))
    .option('--regularizer <name>', `what --dropout1/--dropout2 are the rates of: ${regularizerNames.join(', ')}`, defaultRegularizer)
    .option('--batch-norm', 'batch normalization after each hidden dense layer')
    .option('--eval-dropout-samples <n>', 'stochastic test passes per epoch (MC dropout); 0 = none', num('--eval-dropout-samples'), defaultEvalDropoutSamples)
    .option('--backend <name>', 'auto (default: native if built, else wasm), native, wasm, cpu, webgpu, tensorflow or tensorflow-gpu')
    .option('--json', 'one JSON object per epoch on stdout')
    .action(async (f: TrainFlags) => {
      const hidden = f.hidden.split(',').map(Number);
      const config = validateTrainConfig({
        dropout1: f.dropout1,
        dropout2: f.dropout2,
        weightDecay: f.weightDecay,
        epochs: f.epochs,
        seed: f.seed,
        lr: f.lr,
        batchSize: f.batchSize,
        hidden: [hidden[0] ?? Number.NaN, hidden[1] ?? Number.NaN],
        trainSubset: f.trainSubset ?? defaultTrainSettings.trainSubset,
        // Checked by validateTrainConfig, which names the valid regularizers.
        regularizer: f.regularizer as RegularizerName,
        batchNorm: f.batchNorm ?? defaultBatchNorm,
        evalDropoutSamples: f.evalDropoutSamples,
      });
      // Bad input first: a corrupt dataset is the one line to print, not after an engine warning.
      const data = loadDatasetCached(locateDataset({ dataDir: ctx.config.dataDir }));
      await selectBackend(parseBackendName(f.backend ?? ctx.config.backend), { warn: ctx.err });
      ctx.err(`training on ${data.source} with backend ${describeActiveEngine()}`);
      const bar =
        process.stderr.isTTY && !f.json
          ? new cliProgress.SingleBar({ format: 'epoch {epoch} {bar} {percentage}%', clearOnComplete: true }, cliProgress.Presets.shades_classic)
          : null;
      bar?.start(config.epochs, 0, { epoch: 1 });
      const rows: EpochMetrics[] = [];
      await train(config, data, {
        onBatch: ({ epoch, batch, batches }) => bar?.update(epoch - 1 + batch / batches, { epoch }),
        onEpoch: (m) => {
          rows.push(m);
          if (f.json) ctx.out(JSON.stringify(m));
        },
      });
      bar?.stop();
      if (!f.json) ctx.out(renderRows(rows.map(rounded), 'table'));
    });

  const data = program.command('data').description('the Fashion-MNIST dataset');
  data
    .command('fetch')
    .description('download Fashion-MNIST from its official mirror with checksum verification')
    .option('--dir <dir>', 'target folder', path.join(os.homedir(), '.cache', 'regsweep', 'fashion-mnist'))
    .action(async (opts: { dir: string }) => {
      await fetchDataset(opts.dir);
      ctx.out(`Fashion-MNIST saved in ${opts.dir}`);
    });
}
