import type { SweepSpec } from '../../domain/sweep-spec';
import { ci95, holm, pairedTest, sd, signFlipP } from './hand-statistics';

/*
 * What effect_vs_control should contain, worked out with explicit loops from the values each
 * sweep stores: the control is the lowest value of each axis, every other grid point is paired
 * with it by seed, and Holm runs over the (sweep, metric) and (sweep, metric, epochs) families.
 */

export type Metric = 'test_acc' | 'gap';
const metrics: Metric[] = ['test_acc', 'gap'];

/** A stored metric of one sweep's grid point and seed, or undefined when there is none. */
export type ValueOf = (point: { dropout1: number; dropout2: number; weightDecay: number; epochs: number }, seed: number, metric: Metric) => number | undefined;

export interface ExpectedVsControl {
  control: [number, number, number];
  config: number[];
  controlValues: number[];
  diffs: number[];
  /** Sample sd, 0 when every difference is equal (the t-test is then undefined). */
  sd: number | null;
  ci: { low: number; high: number; clipped: boolean } | null;
  t: number | null;
  p: number | null;
  pSignFlip: number | null;
  pUsed: number | null;
  pHolm: number | null;
  holmM: number;
  pHolmEpochs: number | null;
  holmMEpochs: number;
  family: string;
  familyEpochs: string;
}

export function vsControlKey(sweepId: string, metric: string, epochs: number, d1: number, d2: number, w: number): string {
  return [sweepId, metric, epochs, d1, d2, w].join('|');
}

function adjust(rows: ExpectedVsControl[], familyOf: (r: ExpectedVsControl) => string, set: (r: ExpectedVsControl, p: number | null, m: number) => void): void {
  const families = new Map<string, ExpectedVsControl[]>();
  for (const r of rows) families.set(familyOf(r), [...(families.get(familyOf(r)) ?? []), r]);
  for (const members of families.values()) {
    const adjusted = holm(members.map((m) => m.pUsed));
    const m = members.filter((r) => r.pUsed !== null).length;
    members.forEach((r, i) => set(r, adjusted[i] ?? null, m));
  }
}

export function expectedVsControl(sweeps: ReadonlyArray<{ spec: SweepSpec; valueOf: ValueOf }>): Map<string, ExpectedVsControl> {
  const out = new Map<string, ExpectedVsControl>();
  for (const { spec, valueOf } of sweeps) {
    const { dropout1, dropout2, weightDecay, epochs } = spec.grid;
    const control: [number, number, number] = [Math.min(...dropout1), Math.min(...dropout2), Math.min(...weightDecay)];
    for (const metric of metrics) {
      for (const e of epochs) {
        for (const d1 of dropout1) {
          for (const d2 of dropout2) {
            for (const w of weightDecay) {
              if (d1 === control[0] && d2 === control[1] && w === control[2]) continue;
              const row: ExpectedVsControl = {
                control,
                ...{ config: [], controlValues: [], diffs: [], sd: null, ci: null, t: null, p: null, pSignFlip: null, pUsed: null },
                ...{ pHolm: null, holmM: 0, pHolmEpochs: null, holmMEpochs: 0 },
                family: [spec.name, metric].join('|'),
                familyEpochs: [spec.name, metric, e].join('|'),
              };
              for (const seed of spec.seeds) {
                const x = valueOf({ dropout1: d1, dropout2: d2, weightDecay: w, epochs: e }, seed, metric);
                const c = valueOf({ dropout1: control[0], dropout2: control[1], weightDecay: control[2], epochs: e }, seed, metric);
                if (x === undefined || c === undefined) continue;
                row.config.push(x);
                row.controlValues.push(c);
                row.diffs.push(x - c);
              }
              const tie = row.diffs.length >= 2 && Math.max(...row.diffs) - Math.min(...row.diffs) <= 1e-12;
              row.sd = tie ? 0 : sd(row.diffs);
              if (!tie) {
                const ci = ci95(row.diffs);
                const bound = metric === 'gap' ? 2 : 1;
                if (ci) row.ci = { low: Math.max(-bound, ci.low), high: Math.min(bound, ci.high), clipped: ci.low < -bound || ci.high > bound };
                const test = pairedTest(row.diffs);
                row.t = test?.t ?? null;
                row.p = test?.p ?? null;
              }
              row.pSignFlip = row.diffs.length >= 1 && row.diffs.length <= 12 ? signFlipP(row.diffs) : null;
              row.pUsed = row.p ?? row.pSignFlip;
              out.set(vsControlKey(spec.name, metric, e, d1, d2, w), row);
            }
          }
        }
      }
    }
  }
  const rows = [...out.values()];
  adjust(rows, (r) => r.family, (r, p, m) => ((r.pHolm = p), (r.holmM = m)));
  adjust(rows, (r) => r.familyEpochs, (r, p, m) => ((r.pHolmEpochs = p), (r.holmMEpochs = m)));
  return out;
}
