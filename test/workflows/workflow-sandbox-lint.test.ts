import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

// Workflow code runs in Temporal's deterministic sandbox; the lint rule is what keeps it there.
const eslint = new ESLint({ cwd: process.cwd() });

// An existing file's path: type-aware linting only parses files that belong to the project.
async function problems(code: string, file = 'workflows/index.ts'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('the workflow lint rule rejects side-effecting imports in workflows/', { timeout: 120_000 }, async () => {
  for (const source of ["import pg from 'pg';", "import { readFileSync } from 'node:fs';", "import * as tf from '@tensorflow/tfjs';", "import { Client } from '@temporalio/client';", "import { createRecordActivities } from '../activities/index';"]) {
    const found = await problems(`${source}\nexport const x = 1;\n`);
    assert.equal(found.length, 1, `${source} should be rejected`);
  }
});

test('the workflow lint rule allows the workflow SDK, activity types and pure domain code', { timeout: 120_000 }, async () => {
  const found = await problems(
    "import { proxyActivities } from '@temporalio/workflow';\nimport type { RecordActivities } from '../activities/index';\nimport { validateSpec } from '../domain/spec-validation';\nexport const p = proxyActivities<RecordActivities>({ startToCloseTimeout: '1m' });\nexport const v = validateSpec;\n",
  );
  assert.deepEqual(found, []);
});

test('the workflows in workflows/ pass the sandbox rule', { timeout: 120_000 }, async () => {
  const results = await eslint.lintFiles(['workflows/']);
  const messages = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.message}`));
  assert.deepEqual(messages, []);
});
