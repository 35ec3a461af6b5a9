import { mainSweep, sharedSweep, type AnalysisFixture } from './analysis-fixture';
import { cellValue, type EffectMetricName } from './grid-groups';
import { holm, pairedTest } from './hand-statistics';

/*
 * What effect_dropout_swap and effect_interaction should contain, worked out from the
 * fixture's stored values with explicit loops: one entry per expected view row, keyed by
 * the row's identifying columns, with the per-seed values its statistics come from.
 */

const metrics: EffectMetricName[] = ['test_acc', 'gap'];

export interface ExpectedSwap {
  family: string;
  ab: number[];
  ba: number[];
  diffs: number[];
  p: number | null;
  pHolm: number | null;
}

export interface ExpectedInteraction {
  family: string;
  baseline: number[];
  dropout: number[];
  decay: number[];
  combined: number[];
  interaction: number[];
  p: number | null;
  pHolm: number | null;
}

export function swapKey(sweepId: string, metric: string, epochs: number, weightDecay: number, a: number, b: number): string {
  return [sweepId, metric, epochs, weightDecay, a, b].join('|');
}

export function interactionKey(sweepId: string, metric: string, epochs: number, d1: number, d2: number, w: number): string {
  return [sweepId, metric, epochs, d1, d2, w].join('|');
}

function adjustWithinFamilies<T extends { family: string; p: number | null; pHolm: number | null }>(rows: Iterable<T>): void {
  const families = new Map<string, T[]>();
  for (const row of rows) families.set(row.family, [...(families.get(row.family) ?? []), row]);
  for (const members of families.values()) {
    const adjusted = holm(members.map((m) => m.p));
    members.forEach((m, i) => (m.pHolm = adjusted[i] ?? null));
  }
}

export function expectedSwaps(fixture: AnalysisFixture): Map<string, ExpectedSwap> {
  const out = new Map<string, ExpectedSwap>();
  for (const spec of [mainSweep, sharedSweep]) {
    const { dropout1, dropout2, weightDecay, epochs } = spec.grid;
    const pairs = dropout1.flatMap((a) => dropout2.filter((b) => a < b && dropout1.includes(b) && dropout2.includes(a)).map((b) => [a, b] as const));
    for (const metric of metrics) {
      for (const e of epochs) {
        for (const w of weightDecay) {
          for (const [a, b] of pairs) {
            const at = (d1: number, d2: number, seed: number) =>
              cellValue(fixture, { sweepId: spec.name, dropout1: d1, dropout2: d2, weightDecay: w, epochs: e }, seed, metric);
            const row: ExpectedSwap = { family: [spec.name, metric, e].join('|'), ab: [], ba: [], diffs: [], p: null, pHolm: null };
            for (const seed of spec.seeds) {
              const [x, y] = [at(a, b, seed), at(b, a, seed)];
              if (x === undefined || y === undefined) continue;
              row.ab.push(x);
              row.ba.push(y);
              row.diffs.push(x - y);
            }
            if (row.diffs.length === 0) continue;
            row.p = pairedTest(row.diffs)?.p ?? null;
            out.set(swapKey(spec.name, metric, e, w, a, b), row);
          }
        }
      }
    }
  }
  adjustWithinFamilies(out.values());
  return out;
}

export function expectedInteractions(fixture: AnalysisFixture): Map<string, ExpectedInteraction> {
  const out = new Map<string, ExpectedInteraction>();
  for (const spec of [mainSweep, sharedSweep]) {
    const { dropout1, dropout2, weightDecay, epochs } = spec.grid;
    for (const metric of metrics) {
      for (const e of epochs) {
        for (const d1 of dropout1) {
          for (const d2 of dropout2) {
            for (const w of weightDecay) {
              if (w === 0 || (d1 === 0 && d2 === 0)) continue;
              const at = (a: number, b: number, decay: number, seed: number) =>
                cellValue(fixture, { sweepId: spec.name, dropout1: a, dropout2: b, weightDecay: decay, epochs: e }, seed, metric);
              const row: ExpectedInteraction = {
                family: [spec.name, metric, e].join('|'),
                ...{ baseline: [], dropout: [], decay: [], combined: [], interaction: [] },
                p: null,
                pHolm: null,
              };
              for (const seed of spec.seeds) {
                const [v00, vd0, v0w, vdw] = [at(0, 0, 0, seed), at(d1, d2, 0, seed), at(0, 0, w, seed), at(d1, d2, w, seed)];
                if (v00 === undefined || vd0 === undefined || v0w === undefined || vdw === undefined) continue;
                row.baseline.push(v00);
                row.dropout.push(vd0 - v00);
                row.decay.push(v0w - v00);
                row.combined.push(vdw - v00);
                row.interaction.push(vdw - vd0 - v0w + v00);
              }
              if (row.interaction.length === 0) continue;
              row.p = pairedTest(row.interaction)?.p ?? null;
              out.set(interactionKey(spec.name, metric, e, d1, d2, w), row);
            }
          }
        }
      }
    }
  }
  adjustWithinFamilies(out.values());
  return out;
}
