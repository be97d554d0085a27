import type { Static, TObject } from 'typebox'
import { Value } from 'typebox/value'

/** Thrown at boot when the environment does not satisfy a service's schema; names every bad variable. */
export class ConfigError extends Error {
  readonly variables: readonly string[]
  constructor(problems: readonly { variable: string; message: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`)
    this.name = 'ConfigError'
    this.variables = problems.map((p) => p.variable)
  }
}

/**
 * Validates `env` against `schema` once, at boot: strings are converted to the declared types,
 * defaults fill the gaps, unknown variables are ignored (the process environment holds many).
 * Empty strings count as unset so `FOO=` in a shell falls back to the default.
 */
export function loadConfig<S extends TObject>(schema: S, env: Record<string, string | undefined>): Static<S> {
  const input: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    const raw = env[key]
    if (raw !== undefined && raw !== '') input[key] = raw
  }
  const value = Value.Default(schema, Value.Convert(schema, input))
  if (Value.Check(schema, value)) return value
  const seen = new Set<string>()
  const problems: { variable: string; message: string }[] = []
  for (const error of Value.Errors(schema, value)) {
    const fromPath = error.instancePath.replace(/^\//, '').split('/')[0]
    const missing = (error.params as { requiredProperties?: string[] }).requiredProperties
    const variables = fromPath ? [fromPath] : (missing ?? ['(root)'])
    for (const variable of variables) {
      if (seen.has(variable)) continue
      seen.add(variable)
      problems.push({ variable, message: fromPath ? error.message : 'is required' })
    }
  }
  throw new ConfigError(problems)
}
