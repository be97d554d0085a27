// `--expect 'p99<200,errors=0,failed=0'`: thresholds on the report's metrics that decide the exit code.

export const OPERATORS = ['<=', '>=', '!=', '<', '>', '='] as const
export type Operator = (typeof OPERATORS)[number]

export interface Threshold {
  metric: string
  op: Operator
  value: number
  /** As the user wrote it, for the report. */
  text: string
}

export interface ThresholdResult extends Threshold {
  actual: number | null
  pass: boolean
}

/** Metrics a threshold may name, with what they mean (documented in --help and docs/load-testing.md). */
export const METRIC_HELP: Record<string, string> = {
  p50: 'median latency, ms',
  p90: '90th percentile latency, ms',
  p99: '99th percentile latency, ms',
  'p99.9': '99.9th percentile latency, ms',
  max: 'slowest answer, ms',
  mean: 'mean latency, ms',
  rps: 'answers per second over the run',
  responses: 'answers received',
  errors: 'connection errors and timeouts',
  timeouts: 'requests unanswered within --timeout',
  '2xx': 'answers with a 2xx status (also 4xx, 5xx)',
  '4xx': 'answers with a 4xx status',
  '5xx': 'answers with a 5xx status',
  accepted: 'orders accepted (202)',
  failed: 'orders that ended failed (flash-sale, steady-shop)',
  pending: 'orders still pending after the drain',
  sellout_ms: 'flash-sale: from the opening to the last 202',
  paid: 'flash-sale --pay: orders paid through the webhook',
  expired: 'flash-sale --pay: orders whose payment window lapsed (unit back on sale)',
  cancelled: 'flash-sale --pay: orders cancelled (unit back on sale)',
  resold: 'flash-sale --pay: units bought again after they came back on sale',
  users_in: 'auth-storm: users that got logged in',
  users_out: 'auth-storm: users that never got in',
  signin_per_s: 'auth-storm: users in per second, sustained (first arrival to last user in)',
  holds_per_s: 'auth-storm: the arrival rate it can hold (users/s)',
  audit_failed: 'audit checks that failed',
}

/** `status.409`-style metrics name one HTTP status. */
const STATUS_METRIC = /^status\.[1-5]\d\d$/

export function parseExpect(spec: string | undefined): Threshold[] {
  if (spec === undefined || spec.trim() === '') return []
  return spec.split(',').map((raw) => {
    const text = raw.trim()
    const match = /^([a-z0-9_.]+)\s*(<=|>=|!=|==|<|>|=)\s*(-?\d+(?:\.\d+)?)$/i.exec(text)
    if (!match) throw new Error(`--expect: cannot read "${text}" (want metric<number, e.g. p99<200)`)
    const metric = match[1]!.toLowerCase()
    if (!(metric in METRIC_HELP) && !STATUS_METRIC.test(metric))
      throw new Error(
        `--expect: unknown metric "${metric}" (one of ${Object.keys(METRIC_HELP).join(', ')}, status.NNN)`,
      )
    const op = (match[2] === '==' ? '=' : match[2]) as Operator
    return { metric, op, value: Number(match[3]), text }
  })
}

function holds(actual: number, op: Operator, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value
    case '<=':
      return actual <= value
    case '>':
      return actual > value
    case '>=':
      return actual >= value
    case '=':
      return actual === value
    case '!=':
      return actual !== value
  }
}

/** A metric the scenario did not measure fails its threshold: a gate must not pass by accident. */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  metrics: Record<string, number | null | undefined>,
): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = metrics[t.metric]
    const known = actual !== undefined && actual !== null && Number.isFinite(actual)
    return { ...t, actual: known ? actual : null, pass: known && holds(actual, t.op, t.value) }
  })
}
