import { epochBudget } from '../domain/grid-expansion';
import { validateSpec } from '../domain/spec-validation';
import type { SweepSpec } from '../domain/sweep-spec';

/** What training every run only once, to its largest epoch count, saves for an epochs axis. */
export interface EpochSharing {
  spec: string;
  epochs: number[];
  runs: number;
  /** Epochs trained when each run trains to the largest epoch count and records the smaller ones on the way. */
  trained: number;
  /** Epochs trained if every (config, epochs) trial were a run of its own. */
  naive: number;
  saved: number;
  savedFraction: number;
}

/** The epoch budget of `spec` with its epochs axis replaced by `epochs`. */
export function epochSharingFor(spec: SweepSpec, epochs: number[]): EpochSharing {
  const withEpochs = validateSpec({ ...spec, grid: { ...spec.grid, epochs } });
  const { trained, naive } = epochBudget(withEpochs);
  return {
    spec: spec.name,
    epochs,
    runs: trained / Math.max(...epochs),
    trained,
    naive,
    saved: naive - trained,
    savedFraction: (naive - trained) / naive,
  };
}
