/*
 * The one module the worker bundles. The export name is the workflow type that people
 * pass to `temporal workflow start --type`; clients take it from workflow-types.ts.
 */
export { sweepWorkflow as sweep } from './sweep-workflow';
