import { UsageError } from './cli-errors';
import Table from 'cli-table3';

export type OutputFormat = 'table' | 'json' | 'csv';

export function parseFormat(value: string): OutputFormat {
  if (value === 'table' || value === 'json' || value === 'csv') return value;
  throw new UsageError(`--format must be table, json or csv, got ${JSON.stringify(value)}`);
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  // Four significant digits without padding zeros: grid values read 0.5 and 0.001, as written in a spec.
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v instanceof Date ? v.toISOString() : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Renders rows as a terminal table, JSON (one array) or CSV with a header line. */
export function renderRows(rows: Record<string, unknown>[], format: OutputFormat): string {
  if (format === 'json') return JSON.stringify(rows, null, 2);
  const columns = rows.length > 0 ? Object.keys(rows[0]!) : [];
  if (format === 'csv') return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n');
  if (rows.length === 0) return '(no rows)';
  const table = new Table({ head: columns, style: { head: [], border: [] } });
  for (const r of rows) table.push(columns.map((c) => cell(r[c])));
  return table.toString();
}
