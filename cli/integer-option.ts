import { UsageError } from './cli-errors';

/** A commander parser for an integer option of at least `min`, failing with a one-line usage error. */
export function integerOption(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
    return n;
  };
}
