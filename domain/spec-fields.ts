import { SpecError } from './sweep-spec';

/*
 * The checks every part of a sweep spec shares, so each message has one shape: the field, what
 * it must be, and what was given, in one line.
 */

export type Json = Record<string, unknown>;

/** A value as a message shows it: numbers and strings as written, containers by kind. */
export function describe(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}

/** Throws `<field> must be <requirement>, got <value>`. */
export function fail(field: string, requirement: string, value: unknown): never {
  throw new SpecError(field, `${field} must be ${requirement}, got ${describe(value)}`);
}

export function asObject(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'an object', value);
  return value as Json;
}

/** Rejects a key that is not in `allowed`, naming it with its path (`field.key`, or `key` at the top). */
export function rejectUnknownKeys(obj: Json, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const where = field ? `${field}.${key}` : key;
      throw new SpecError(where, `${where} is not a known setting; allowed keys are ${allowed.join(', ')}`);
    }
  }
}
