/** Search attributes the sweep workflow sets; the dev server registers them at start. Defined with the workflow. */
export { sweepSearchAttributeTypes as sweepSearchAttributes } from '../../workflows/search-attributes';
