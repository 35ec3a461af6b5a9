import { sql, type Kysely } from 'kysely';

/* Migrations never import application code: they describe the schema as it was on this date. */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sweeps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('running'))
    .addColumn('trials', 'integer', (c) => c.notNull())
    .addColumn('runs', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addCheckConstraint('sweeps_status_valid', sql`status in ('running', 'completed', 'failed', 'cancelled')`)
    .execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dropout1', 'float8', (c) => c.notNull())
    .addColumn('dropout2', 'float8', (c) => c.notNull())
    .addColumn('weight_decay', 'float8', (c) => c.notNull())
    .addColumn('seed', 'integer', (c) => c.notNull())
    .addColumn('max_epochs', 'integer', (c) => c.notNull())
    .addColumn('lr', 'float8', (c) => c.notNull())
    .addColumn('batch_size', 'integer', (c) => c.notNull())
    .addColumn('hidden', sql`integer[]`, (c) => c.notNull())
    .addColumn('train_subset', 'integer')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('epochs_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('backend', 'text')
    .addColumn('worker', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addCheckConstraint('runs_status_valid', sql`status in ('pending', 'running', 'completed', 'failed', 'cancelled')`)
    .execute();

  // Which runs a sweep needs, in its scheduling order; the workflow pages through this by ordinal.
  await db.schema
    .createTable('sweep_runs')
    .addColumn('sweep_id', 'text', (c) => c.notNull().references('sweeps.id').onDelete('cascade'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
    .addPrimaryKeyConstraint('sweep_runs_pk', ['sweep_id', 'ordinal'])
    .addUniqueConstraint('sweep_runs_run_unique', ['sweep_id', 'run_id'])
    .execute();

  await db.schema
    .createTable('sweep_trials')
    .addColumn('sweep_id', 'text', (c) => c.notNull().references('sweeps.id').onDelete('cascade'))
    .addColumn('trial_key', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
    .addColumn('dropout1', 'float8', (c) => c.notNull())
    .addColumn('dropout2', 'float8', (c) => c.notNull())
    .addColumn('weight_decay', 'float8', (c) => c.notNull())
    .addColumn('epochs', 'integer', (c) => c.notNull())
    .addColumn('seed', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('sweep_trials_pk', ['sweep_id', 'trial_key'])
    .execute();
  await db.schema.createIndex('sweep_trials_run_idx').on('sweep_trials').column('run_id').execute();

  await db.schema
    .createTable('epoch_metrics')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('train_loss', 'float8', (c) => c.notNull())
    .addColumn('train_acc', 'float8', (c) => c.notNull())
    .addColumn('train_acc_eval', 'float8', (c) => c.notNull())
    .addColumn('test_loss', 'float8', (c) => c.notNull())
    .addColumn('test_acc', 'float8', (c) => c.notNull())
    .addColumn('gap', 'float8', (c) => c.notNull())
    .addColumn('act_var1', 'float8', (c) => c.notNull())
    .addColumn('act_var2', 'float8', (c) => c.notNull())
    .addColumn('weight_norm1', 'float8', (c) => c.notNull())
    .addColumn('weight_norm2', 'float8', (c) => c.notNull())
    .addColumn('weight_norm3', 'float8', (c) => c.notNull())
    .addColumn('seconds', 'float8', (c) => c.notNull())
    .addColumn('eval_seconds', 'float8', (c) => c.notNull())
    .addColumn('samples_per_sec', 'float8', (c) => c.notNull())
    .addColumn('backend', 'text', (c) => c.notNull())
    .addColumn('worker', 'text')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('epoch_metrics_pk', ['run_id', 'epoch'])
    .execute();

  // One checkpoint per run (the latest epoch): enough to resume and to extend the epochs axis.
  await db.schema
    .createTable('checkpoints')
    .addColumn('run_id', 'text', (c) => c.primaryKey().references('runs.id').onDelete('cascade'))
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('weights', 'bytea', (c) => c.notNull())
    .addColumn('saved_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['checkpoints', 'epoch_metrics', 'sweep_trials', 'sweep_runs', 'runs', 'sweeps']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
