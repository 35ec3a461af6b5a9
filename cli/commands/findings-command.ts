import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { openDatabase } from '../../db/connect';
import type { Executor } from '../../db/database';
import { loadStudyManifest, studiesDir } from '../../report/findings/study-manifest';
import { UnknownSweepError, writeFindings } from '../../report/findings/write-findings';
import { UsageError } from '../cli-errors';
import { withDatabase, type CommandContext } from '../command-context';
import { integerOption } from '../integer-option';
import { withLocalStack } from '../local-stack-session';
import { loadSpecFile } from '../spec-file';
import { followSweep, startOrAttach } from '../sweep-client';

// As in the quickstart: two single-threaded workers train more epochs per second on 2 cores than one with both threads.
const defaultTrainWorkers = Math.min(2, os.availableParallelism());

async function findingsInto(ctx: CommandContext, db: Executor, ids: readonly string[], out: string, commands: string[], studies = studiesDir): Promise<void> {
  try {
    const file = await writeFindings(db, ids, out, { commands, studies });
    ctx.out(`wrote ${path.relative(process.cwd(), file) || file} and its images in ${path.join(path.relative(process.cwd(), out) || '.', 'findings')}`);
  } catch (err) {
    if (err instanceof UnknownSweepError) throw new UsageError(err.message);
    throw err;
  }
}

/** `regsweep findings` (from sweeps in the database) and `regsweep studies` (run every shipped study, then findings). */
export function registerFindingsCommands(program: Command, ctx: CommandContext): void {
  program
    .command('findings')
    .description("write a Markdown document (and its plots as SVG images) answering each sweep's question from its results")
    .argument('<ids...>', 'sweep ids, in the order the document shows them')
    .option('--out <dir>', 'folder for findings.md and findings/*.svg', '.')
    .action(async (ids: string[], opts: { out: string }) =>
      withDatabase(ctx, 'reader', ({ db }) => findingsInto(ctx, db, ids, opts.out, [`regsweep findings ${ids.join(' ')} --out ${opts.out}`])),
    );

  program
    .command('studies')
    .description('bring the local stack up, run every shipped study of examples/studies (reusing trained runs), write docs/findings.md, shut down')
    .option('--out <dir>', 'folder for findings.md and findings/*.svg', 'docs')
    .option('--dir <dir>', 'folder of the studies: studies.json and the specs it names', studiesDir)
    .option(
      '--train-workers <n>',
      'training worker processes (default: 2 on machines with 2 or more cores)',
      integerOption('--train-workers', 1),
      defaultTrainWorkers,
    )
    .action(async (opts: { out: string; dir: string; trainWorkers: number }) => {
      // Every spec is read and validated before anything starts, so a bad one trains nothing.
      const manifest = path.join(opts.dir, 'studies.json');
      let listed;
      try {
        listed = loadStudyManifest(manifest);
      } catch (err) {
        throw new UsageError((err as NodeJS.ErrnoException).code === 'ENOENT' ? `no study manifest at ${manifest}` : (err as Error).message);
      }
      const studies = listed.map((study) => ({ study, ...loadSpecFile(path.join(opts.dir, study.spec), ctx.config.maxTrials) }));
      ctx.err(`starting Postgres, the Temporal dev server and ${opts.trainWorkers} training worker(s) for ${studies.length} studies...`);
      await withLocalStack(ctx, opts.trainWorkers, async (stack, client) => {
        // One study at a time: later studies reuse the runs earlier ones trained (same run ids).
        for (const { study, spec, raw } of studies) {
          const handle = await startOrAttach(client, spec.name, ctx.config.taskQueue, raw, { maxTrials: ctx.config.maxTrials }, ctx.err);
          const started = performance.now();
          const summary = await followSweep(handle, { interactive: Boolean(process.stderr.isTTY), log: ctx.err });
          const seconds = Math.round((performance.now() - started) / 1000);
          ctx.out(
            `${study.spec}: sweep ${summary.sweepId}, ${summary.runs} runs (${summary.trained} trained, ${summary.reused} reused), ${summary.failed} failed, in ${seconds} s`,
          );
        }
        const database = openDatabase(stack.readerDatabaseUrl, { max: 2 });
        try {
          const command =
            opts.dir === studiesDir
              ? 'npm run findings    # = regsweep studies --out docs: trains what is missing, then writes this document'
              : `regsweep studies --dir ${opts.dir} --out ${opts.out}`;
          await findingsInto(
            ctx,
            database.db,
            studies.map((s) => s.spec.name),
            opts.out,
            [command],
            opts.dir,
          );
        } finally {
          await database.close();
        }
      });
    });
}
