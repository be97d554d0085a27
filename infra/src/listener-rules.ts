import { ROUTE_TABLE, type RouteRule, type ServiceName } from '@flash/routes'

/** An ALB path-pattern condition accepts at most five values. */
export const MAX_PATHS_PER_RULE = 5

export interface ListenerRuleSpec {
  readonly priority: number
  readonly service: ServiceName
  readonly paths: readonly string[]
}

/**
 * The ALB listener rules for a route table. The gateway takes the first matching entry, the ALB the
 * lowest priority; so consecutive entries of one service share a rule (up to five paths) and rules
 * keep the table's order. A later entry can therefore never shadow an earlier one differently in
 * production than in local development.
 */
export function listenerRules(
  table: readonly RouteRule[] = ROUTE_TABLE,
  firstPriority = 10,
): ListenerRuleSpec[] {
  const rules: { service: ServiceName; paths: string[] }[] = []
  for (const { pattern, service } of table) {
    if (pattern.startsWith('/internal')) throw new Error(`route table exposes internal path ${pattern}`)
    const last = rules.at(-1)
    if (last && last.service === service && last.paths.length < MAX_PATHS_PER_RULE) last.paths.push(pattern)
    else rules.push({ service, paths: [pattern] })
  }
  return rules.map((r, i) => ({ priority: firstPriority + i * 10, service: r.service, paths: r.paths }))
}
