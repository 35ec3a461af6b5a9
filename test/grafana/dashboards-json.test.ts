import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postgresDatasource } from '../../infra/grafana/dashboards-src/common';
import { buildDashboards } from '../../infra/grafana/dashboards-src/index';
import { dashboardFileName, generatedDashboardsDir, renderDashboard, writeDashboards } from '../../infra/grafana/write-dashboards';
import { referencedVariables } from '../helpers/grafana-interpolation';
import { dataPanels, variablesOf } from './dashboard-panels';

const dashboards = buildDashboards();

test('buildDashboards gives each dashboard a fixed, unique uid and title', () => {
  assert.deepEqual(
    dashboards.map((d) => d.uid),
    ['regsweep-overview', 'regsweep-effects', 'regsweep-dynamics'],
  );
  assert.equal(new Set(dashboards.map((d) => d.title)).size, dashboards.length);
  // Building twice gives the same JSON: uids and panel ids do not drift between builds.
  assert.deepEqual(buildDashboards().map(renderDashboard), dashboards.map(renderDashboard));
});

test('every panel has a unique id, the regsweep data source, a description and a unit', () => {
  for (const d of dashboards) {
    const ids = (d.panels ?? []).map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${d.uid}: panel ids repeat`);
    assert.ok(
      ids.every((id) => typeof id === 'number'),
      `${d.uid}: a panel has no id`,
    );
    for (const p of dataPanels(d)) {
      const where = `${d.uid} / ${p.title}`;
      assert.deepEqual(p.datasource, postgresDatasource, `${where}: data source`);
      assert.ok((p.description ?? '').length >= 80, `${where}: the description should tell the reader what they see`);
      assert.notEqual(p.description, p.title, where);
      assert.ok(p.fieldConfig?.defaults?.unit, `${where}: no unit`);
    }
  }
});

test('every panel query is raw SQL in code mode against the regsweep data source', () => {
  for (const d of dashboards) {
    for (const p of dataPanels(d)) {
      assert.ok((p.targets ?? []).length > 0, `${d.uid} / ${p.title}: no query`);
      for (const t of p.targets ?? []) {
        assert.deepEqual(t.datasource, postgresDatasource);
        assert.match(t.refId ?? '', /^[A-Z]$/);
        assert.ok(['table', 'time_series'].includes(t.format));
        assert.equal(t.rawQuery, true);
        assert.equal(t.editorMode, 'code');
        assert.match(t.rawSql, /^(select|with) /);
      }
    }
  }
});

test('accuracy panels show percentages and matrices repeat over a multi-value weight decay', () => {
  const effects = dashboards.find((d) => d.uid === 'regsweep-effects')!;
  const matrices = dataPanels(effects).filter((p) => p.transformations?.some((t) => t.id === 'groupingToMatrix'));
  assert.equal(matrices.length, 2);
  for (const m of matrices) {
    assert.equal(m.fieldConfig?.defaults?.unit, 'percentunit');
    assert.equal(m.repeat, 'weight_decay');
    assert.equal((m.fieldConfig?.defaults?.custom as { cellOptions?: { type?: string } }).cellOptions?.type, 'color-background');
  }
  const weightDecay = variablesOf(effects).find((v) => v.name === 'weight_decay')!;
  assert.ok(weightDecay.multi && weightDecay.includeAll);
});

test('every variable a dashboard uses is defined, and defined before the variables that read it', () => {
  for (const d of dashboards) {
    const defined: string[] = [];
    for (const v of variablesOf(d)) {
      const query = typeof v.query === 'string' ? v.query : '';
      for (const name of referencedVariables(query)) assert.ok(defined.includes(name), `${d.uid}: variable ${v.name} reads $${name} before it is defined`);
      defined.push(v.name);
    }
    for (const p of dataPanels(d)) {
      const texts = [p.title ?? '', p.description ?? '', ...(p.targets ?? []).map((t) => t.rawSql)];
      for (const name of texts.flatMap(referencedVariables)) assert.ok(defined.includes(name), `${d.uid} / ${p.title}: $${name} is not defined`);
      if (p.repeat) {
        const repeated = variablesOf(d).find((v) => v.name === p.repeat);
        assert.ok(repeated && (repeated.multi || repeated.includeAll), `${d.uid} / ${p.title}: repeats over ${p.repeat}, which is not multi-value`);
      }
    }
    for (const v of variablesOf(d)) assert.deepEqual(v.datasource, postgresDatasource, `${d.uid}: variable ${v.name}`);
  }
});

test('the committed dashboard JSON is what the builders produce', () => {
  const expected = dashboards.map(dashboardFileName).sort();
  const committed = readdirSync(generatedDashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  assert.deepEqual(committed, expected, 'infra/grafana/dashboards holds other files than the builders produce');
  for (const d of dashboards) {
    const file = path.join(generatedDashboardsDir, dashboardFileName(d));
    assert.equal(readFileSync(file, 'utf8'), renderDashboard(d), `${file} is out of date: run \`regsweep dashboards\``);
  }
});

test('writeDashboards writes every dashboard once and leaves unchanged files alone', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'regsweep-dashboards-'));
  try {
    const out = path.join(dir, 'nested', 'dashboards');
    const first = await writeDashboards(out);
    assert.deepEqual(
      first,
      dashboards.map((d) => path.join(out, `${d.uid}.json`)),
    );
    const mtimes = first.map((f) => statSync(f).mtimeMs);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await writeDashboards(out);
    assert.deepEqual(second, first);
    assert.deepEqual(
      second.map((f) => statSync(f).mtimeMs),
      mtimes,
    );
    assert.deepEqual(readdirSync(out).sort(), first.map((f) => path.basename(f)).sort());
    for (const [i, f] of first.entries()) assert.equal(readFileSync(f, 'utf8'), renderDashboard(dashboards[i]!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
