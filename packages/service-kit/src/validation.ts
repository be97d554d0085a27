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

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = ajv(false)
  const coercing = ajv('array')
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object)
}
