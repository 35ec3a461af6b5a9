/*
 * Grafana's interpolation of dashboard variables into a PostgreSQL data source query, for
 * tests that run the dashboards' SQL without a Grafana server. It follows Grafana's rules:
 *
 * - the variable syntaxes `$name`, `${name}`, `${name:format}` and `[[name]]` / `[[name:format]]`
 *   (Grafana's `variableRegex`);
 * - formats `sqlstring` ('a','b' with ' doubled), `csv` (a,b), `raw` (as is, lists joined by
 *   commas), `singlequote` ('a','b' with ' escaped as \');
 * - without a format, the SQL data sources' own rule (`interpolateVariable`): a list, or any
 *   value of a multi-value or include-all variable, becomes comma-joined quoted literals; a
 *   single value of a single-value variable is inserted with ' doubled but unquoted;
 * - names Grafana does not know are left as written; after that the data source's macros run
 *   (`$__timeFilter(col)` becomes `col BETWEEN '<from>' AND '<to>'`).
 */

export interface GrafanaVariable {
  /** The current value: a string, or the list of selected values (All already expanded). */
  value: string | string[];
  multi?: boolean;
  includeAll?: boolean;
}

export interface TimeRange {
  from: Date;
  to: Date;
}

// Grafana's variableRegex (public/app/features/variables/utils.ts).
const variableRegex = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

const quoteLiteral = (v: string): string => `'${v.replace(/'/g, "''")}'`;
const asList = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

function formatValue(variable: GrafanaVariable, format: string | undefined): string {
  const { value } = variable;
  switch (format) {
    case undefined:
      if (Array.isArray(value)) return value.map(quoteLiteral).join(',');
      return variable.multi || variable.includeAll ? quoteLiteral(value) : value.replace(/'/g, "''");
    case 'sqlstring':
      return asList(value).map(quoteLiteral).join(',');
    case 'csv':
    case 'raw':
      return asList(value).join(',');
    case 'singlequote':
      return asList(value)
        .map((v) => `'${v.replace(/'/g, "\\'")}'`)
        .join(',');
    default:
      throw new Error(`format ${format} is not implemented by the test interpolation`);
  }
}

/** The names of the variables a text refers to, built-ins (`$__…`) excluded, in order of appearance. */
export function referencedVariables(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(variableRegex)) {
    const name = m[1] ?? m[2] ?? m[4];
    if (name && !name.startsWith('__') && !names.includes(name)) names.push(name);
  }
  return names;
}

function expandMacros(text: string, range: TimeRange): string {
  return text.replace(
    /\$__timeFilter\(([^)]+)\)/g,
    (_, column: string) => `${column.trim()} BETWEEN '${range.from.toISOString()}' AND '${range.to.toISOString()}'`,
  );
}

/**
 * The SQL Grafana would send for `rawSql` with these variable values.
 * @throws Error when the text uses a variable that is not given (a dashboard referring to an
 *   undefined variable would send the `$name` text to Postgres as is).
 */
export function interpolateGrafanaSql(rawSql: string, variables: Readonly<Record<string, GrafanaVariable>>, range: TimeRange): string {
  const replaced = rawSql.replace(variableRegex, (match, v1?: string, v2?: string, f2?: string, v3?: string, _field?: string, f3?: string) => {
    const name = v1 ?? v2 ?? v3 ?? '';
    if (name.startsWith('__')) return match;
    const variable = variables[name];
    if (!variable) throw new Error(`the query uses $${name}, which is not defined`);
    return formatValue(variable, f2 ?? f3);
  });
  return expandMacros(replaced, range);
}
