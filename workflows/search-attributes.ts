/*
 * The search attributes the sweep workflow sets, so people can list sweeps by name and status
 * (`temporal workflow list -q 'RegsweepStatus="running"'`). The server must know them before a
 * sweep starts: the dev server registers sweepSearchAttributeTypes at start.
 */

/** The spec's name. */
export const sweepNameAttribute = 'RegsweepName';
/** running, then completed, failed or cancelled. */
export const sweepStatusAttribute = 'RegsweepStatus';

/** Every search attribute of the sweep workflow with its Temporal type. */
export const sweepSearchAttributeTypes = { [sweepNameAttribute]: 'Keyword', [sweepStatusAttribute]: 'Keyword' } as const;
