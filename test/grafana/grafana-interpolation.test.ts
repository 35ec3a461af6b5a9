import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateGrafanaSql, referencedVariables } from '../helpers/grafana-interpolation';

// The test double of Grafana's interpolation must follow Grafana's rules, or the panel query
// tests would prove nothing about what Grafana sends.

const range = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-02T00:00:00Z') };
const variables = {
  sweep: { value: "o'brien" },
  wd: { value: ['0', '0.001'], multi: true, includeAll: true },
  one: { value: 'x', multi: true },
};

test('interpolateGrafanaSql quotes and escapes as Grafana does for each format', () => {
  assert.equal(interpolateGrafanaSql('${sweep:sqlstring}', variables, range), "'o''brien'");
  assert.equal(interpolateGrafanaSql('$sweep', variables, range), "o''brien");
  assert.equal(interpolateGrafanaSql('[[sweep]]', variables, range), "o''brien");
  assert.equal(interpolateGrafanaSql('in ($wd)', variables, range), "in ('0','0.001')");
  assert.equal(interpolateGrafanaSql('${wd:csv}', variables, range), '0,0.001');
  assert.equal(interpolateGrafanaSql('${wd:sqlstring}', variables, range), "'0','0.001'");
  assert.equal(interpolateGrafanaSql('${wd:raw}', variables, range), '0,0.001');
  assert.equal(interpolateGrafanaSql('$one', variables, range), "'x'");
});

test('interpolateGrafanaSql expands $__timeFilter and rejects undefined variables', () => {
  assert.equal(
    interpolateGrafanaSql('where $__timeFilter(m.recorded_at)', variables, range),
    "where m.recorded_at BETWEEN '2026-01-01T00:00:00.000Z' AND '2026-01-02T00:00:00.000Z'",
  );
  assert.throws(() => interpolateGrafanaSql('$missing', variables, range), /uses \$missing, which is not defined/);
});

test('referencedVariables lists each variable once and skips built-ins', () => {
  assert.deepEqual(referencedVariables('${sweep:sqlstring} $wd [[one]] $wd $__timeFilter(x) ${__from}'), ['sweep', 'wd', 'one']);
});
