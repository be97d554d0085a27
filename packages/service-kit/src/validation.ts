import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

/**
 * Two validators: JSON bodies are checked strictly (`{"quantity": "2"}` is a 400, not a silent
 * conversion), while querystring, params and headers — which are always strings on the wire — are
 * coerced to their declared types.
 */
function ajv(coerceTypes: boolean | 'array') {
  const instance = new Ajv.default({
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    allErrors: true,
    strict: false,
  })
  addFormats.default(instance)
  return instance
}

/** What a number in a path or query string may look like: plain decimal digits, no sign games. */
const PLAIN_DECIMAL = /^-?(?:0|[1-9][0-9]*)$/

interface ValidationError {
  instancePath: string
  schemaPath: string
  keyword: string
  params: Record<string, unknown>
  message: string
}

type Validate = ((data: unknown) => boolean) & { errors?: ValidationError[] | null }

/** Top-level properties the schema declares as integer or number (params, querystring, headers). */
function numericProperties(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {}
  return Object.entries(properties)
    .filter(([, p]) => p.type === 'integer' || p.type === 'number')
    .map(([name]) => name)
}

/**
 * Coercion alone accepts whatever JavaScript's Number() does: `/api/products/0x1`, `1e0`, ` 1`
 * (`%201`) and `+1` all became product 1. A numeric path or query value must be written as plain
 * decimal digits before it is coerced; anything else is a 400 like any other invalid value.
 */
function plainDecimals(names: string[], coerce: Validate): Validate {
  const validate: Validate = (data) => {
    const values = (data ?? {}) as Record<string, unknown>
    const errors: ValidationError[] = []
    for (const name of names) {
      const raw = values[name]
      if (typeof raw === 'string' && !PLAIN_DECIMAL.test(raw)) {
        errors.push({
          instancePath: `/${name}`,
          schemaPath: '#/plainDecimal',
          keyword: 'pattern',
          params: {},
          message: 'must be written as plain decimal digits',
        })
      }
    }
    if (errors.length) {
      validate.errors = errors
      return false
    }
    const ok = coerce(data)
    validate.errors = coerce.errors ?? null
    return ok
  }
  return validate
}

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = ajv(false)
  const coercing = ajv('array')
  return ({ schema, httpPart }) => {
    if (httpPart === 'body') return strict.compile(schema as object)
    const compiled = coercing.compile(schema as object) as Validate
    const numeric = numericProperties(schema)
    return numeric.length ? plainDecimals(numeric, compiled) : compiled
  }
}
