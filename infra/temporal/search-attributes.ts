/** Search attributes the sweep workflow sets; the dev server registers them at start. */
export const sweepSearchAttributes = { RegsweepName: 'Keyword', RegsweepStatus: 'Keyword' } as const;
