import { readFile } from 'node:fs/promises'

/** What a README's configuration table says about one variable. */
export interface DocumentedVariable {
  variable: string
  /** The default as written, backticks removed; `required` / `—` (unset) when there is none. */
  default: string
  meaning: string
}

/** The part of a TypeBox object schema the table is held against. */
export interface EnvSchemaShape {
  properties: Record<string, object>
  required?: readonly string[]
}

export const REQUIRED = 'required'
export const UNSET = '—'

const cells = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim())

const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1')

/**
 * The table under the README's `## Configuration` heading: | variable | default | meaning |, one
 * row per variable. Throws when there is none, so a README that lost its table fails its test.
 */
export async function readConfigTable(readmePath: string): Promise<DocumentedVariable[]> {
  const lines = (await readFile(readmePath, 'utf8')).split('\n')
  const heading = lines.findIndex((l) => /^## Configuration\b/.test(l))
  if (heading < 0) throw new Error(`${readmePath}: no "## Configuration" section`)
  const start = lines.findIndex((l, i) => i > heading && l.startsWith('|'))
  if (start < 0) throw new Error(`${readmePath}: no table under "## Configuration"`)
  const rows: DocumentedVariable[] = []
  // Header and separator rows first, then the variables until the table ends.
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    const [variable = '', def = '', meaning = ''] = cells(lines[i]!)
    rows.push({ variable: unquote(variable), default: unquote(def), meaning })
  }
  return rows
}

/** How a schema's default is written in the table: the value itself, `""` for an empty string. */
export function documentedDefault(schema: EnvSchemaShape, variable: string): string {
  const value = (schema.properties[variable] as { default?: unknown } | undefined)?.default
  if (value === undefined) return schema.required?.includes(variable) ? REQUIRED : UNSET
  return value === '' ? '""' : String(value)
}

/**
 * Where the README and the schema disagree: a variable missing from the table, one documented that
 * the schema does not have, a default written differently, a row without a meaning. Empty: they agree.
 */
export function configTableProblems(schema: EnvSchemaShape, rows: readonly DocumentedVariable[]): string[] {
  const problems: string[] = []
  const documented = new Map(rows.map((r) => [r.variable, r]))
  if (documented.size !== rows.length) problems.push('a variable is documented twice')
  for (const variable of Object.keys(schema.properties)) {
    const row = documented.get(variable)
    if (!row) {
      problems.push(`${variable} is not documented`)
      continue
    }
    const expected = documentedDefault(schema, variable)
    if (row.default !== expected)
      problems.push(`${variable}: default is ${expected}, README says ${row.default}`)
    if (!row.meaning) problems.push(`${variable}: no meaning given`)
  }
  for (const variable of documented.keys())
    if (!(variable in schema.properties)) problems.push(`${variable} is documented but not in the schema`)
  return problems
}
