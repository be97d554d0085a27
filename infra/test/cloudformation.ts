/**
 * What CloudFormation makes of a template value for given parameter values: `Ref` to a parameter,
 * `Fn::If` on the template's conditions (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`),
 * and `AWS::NoValue`. Everything else (resource references, joins) is returned as it is. Enough to
 * test what a stack does with a parameter without an AWS account.
 */
export interface TemplateJson {
  Parameters: Record<string, { Default?: string; Type: string; AllowedValues?: string[] }>
  Conditions?: Record<string, unknown>
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Condition?: string }>
  Outputs?: Record<string, { Value: unknown }>
}

const NO_VALUE = Symbol('AWS::NoValue')

export function evaluator(template: TemplateJson, given: Record<string, string>) {
  const parameter = (name: string): string => {
    const value = given[name] ?? template.Parameters[name]?.Default
    if (value === undefined) throw new Error(`parameter ${name} has no value and no default`)
    return value
  }
  const condition = (name: string): boolean => {
    const expression = template.Conditions?.[name]
    if (expression === undefined) throw new Error(`no condition ${name}`)
    return truth(expression)
  }
  const truth = (expression: unknown): boolean => {
    const [[fn, args]] = Object.entries(expression as Record<string, unknown[]>) as [[string, unknown[]]]
    if (fn === 'Fn::Equals') return resolve(args[0]) === resolve(args[1])
    if (fn === 'Fn::Not') return !truth(args[0])
    if (fn === 'Fn::And') return args.every(truth)
    if (fn === 'Fn::Or') return args.some(truth)
    if (fn === 'Condition') return condition(args as unknown as string)
    throw new Error(`unsupported condition function ${fn}`)
  }
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== NO_VALUE)
    if (value === null || typeof value !== 'object') return value
    const entries = Object.entries(value)
    if (entries.length === 1) {
      const [[key, arg]] = entries as [[string, unknown]]
      if (key === 'Ref' && arg === 'AWS::NoValue') return NO_VALUE
      if (key === 'Ref' && typeof arg === 'string' && arg in template.Parameters) return parameter(arg)
      if (key === 'Fn::If') {
        const [name, yes, no] = arg as [string, unknown, unknown]
        return resolve(condition(name) ? yes : no)
      }
    }
    const out: Record<string, unknown> = {}
    for (const [k, v] of entries) {
      const r = resolve(v)
      if (r !== NO_VALUE) out[k] = r
    }
    return out
  }
  /** The resources CloudFormation would create, with their properties resolved. */
  const resources = (type: string) =>
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === type && (r.Condition === undefined || condition(r.Condition)))
      .map(([id, r]) => [id, resolve(r.Properties ?? {}) as Record<string, unknown>] as const)
  return { resolve, condition, resources }
}
