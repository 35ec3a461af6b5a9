import type * as registered from './index';

/**
 * The sweep workflow's type: the name workflows/index.ts exports it under, which clients pass to
 * `workflow.start` and people to `temporal workflow start --type`. Renaming that export fails
 * the type check here, so the name cannot drift from the registration.
 */
export const sweepWorkflowType = 'sweep' satisfies keyof typeof registered;
