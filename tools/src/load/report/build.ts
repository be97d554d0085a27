// report.json: every number of a run, its parameters, the audit, the thresholds and the verdict
// (pure: unit-tested in tools/test/load-report.test.ts).
import type { LoadOptions, ScenarioName } from '../args.ts'
import type { LifecycleSeries } from '../audit/lifecycle.ts'
import type { Audit } from '../audit/types.ts'
import type { BuyerStats } from '../engine/buyers.ts'
import { evaluateThresholds, type ThresholdResult } from '../expect.ts'
import { endpointLines } from './endpoints.ts'
import type { RunStats } from '../engine/recorder.ts'

export interface LoadReport {
  tool: { name: string; version: string }
  git?: { commit: string; dirty: boolean } | undefined
  date: string
  command: string
  scenario: ScenarioName
  target: { url: string; inventory_url: string }
  /** The options in effect (the admin password left out). */
  params: Record<string, unknown>
  setup: Record<string, unknown>
  buyers?: BuyerStats | undefined
  run: RunStats
  /** flash-sale --pay: orders paid / expired / cancelled by the end of each second (cumulative). */
  lifecycle?: LifecycleSeries | undefined
  /** Flat numbers: latency, throughput, status classes and the scenario's own; what --expect reads. */
  metrics: Record<string, number | null>
  audit: Audit
  thresholds: ThresholdResult[]
  notes: string[]
  verdict: { pass: boolean; reasons: string[] }
}

export interface ReportInput {
  options: LoadOptions
  tool: LoadReport['tool']
  git?: LoadReport['git']
  date: string
  command: string
  run: RunStats
  scenarioMetrics: Record<string, number | null>
  audit: Audit
  setup: Record<string, unknown>
  buyers?: BuyerStats | undefined
  lifecycle?: LifecycleSeries | undefined
  notes: string[]
}

export function classCount(statuses: Record<string, number>, cls: string): number {
  return Object.entries(statuses).reduce((n, [s, c]) => (s[0] === cls[0] ? n + c : n), 0)
}

export function baseMetrics(run: RunStats): Record<string, number | null> {
  const m: Record<string, number | null> = {
    p50: run.latency.p50,
    p90: run.latency.p90,
    p99: run.latency.p99,
    'p99.9': run.latency.p99_9,
    max: run.latency.max,
    mean: run.latency.mean,
    rps: Math.round(run.rps * 10) / 10,
    responses: run.responses,
    errors: run.errorCount,
    timeouts: run.timeouts,
    '2xx': classCount(run.statuses, '2xx'),
    '4xx': classCount(run.statuses, '4xx'),
    '5xx': classCount(run.statuses, '5xx'),
  }
  for (const [status, n] of Object.entries(run.statuses)) m[`status.${status}`] = n
  return m
}

export function publicParams(options: LoadOptions): Record<string, unknown> {
  const { adminPassword: _secret, expect, ...rest } = options
  return { ...rest, expect: expect.map((t) => t.text) }
}

export function buildReport(input: ReportInput): LoadReport {
  const { options, run, audit } = input
  const failedChecks =
    audit.checks.filter((c) => !c.pass).length + (audit.internal?.findings.filter((f) => !f.ok).length ?? 0)
  const metrics = { ...baseMetrics(run), ...input.scenarioMetrics, audit_failed: failedChecks }
  const thresholds = evaluateThresholds(options.expect, metrics)
  const reasons: string[] = []
  if (run.responses === 0) reasons.push('no answer was received')
  for (const c of audit.checks.filter((c) => !c.pass))
    reasons.push(`audit ${c.id} failed: ${c.label} (${c.detail})`)
  for (const f of audit.internal?.findings.filter((f) => !f.ok) ?? [])
    reasons.push(`npm run audit ${f.invariant} failed for product ${f.product_id}: ${f.detail}`)
  for (const t of thresholds.filter((t) => !t.pass))
    reasons.push(`threshold ${t.text} missed: ${t.metric} = ${t.actual ?? 'not measured'}`)
  return {
    tool: input.tool,
    git: input.git,
    date: input.date,
    command: input.command,
    scenario: options.scenario,
    target: { url: options.url, inventory_url: options.inventoryUrl },
    params: publicParams(options),
    setup: input.setup,
    buyers: input.buyers,
    run,
    ...(input.lifecycle ? { lifecycle: input.lifecycle } : {}),
    metrics,
    audit,
    thresholds,
    notes: input.notes,
    verdict: { pass: reasons.length === 0, reasons },
  }
}

/** flash-sale --pay: the lifecycle's totals, and the running counts every few seconds. */
export function lifecycleLines(r: LoadReport): string[] {
  const l = r.lifecycle
  if (!l) return []
  const m = r.metrics
  const last = l.t.length - 1
  const step = Math.max(1, Math.ceil(l.t.length / 8))
  const points = l.t
    .filter((_, i) => i % step === 0 || i === last)
    .map((t) => `${t}s ${l.paid[t]}/${l.expired[t]}/${l.cancelled[t]}`)
  return [
    `payment: ${m.paid ?? 0} paid, ${m.expired ?? 0} expired, ${m.cancelled ?? 0} cancelled; ${m.resold ?? 0} units bought again (${m.returned_while_open ?? 0} came back while the sale was open)`,
    `paid/expired/cancelled over time: ${points.join(' · ')}`,
  ]
}

/** The summary printed at the end of a run (and the last line: the verdict). */
export function summaryLines(r: LoadReport): string[] {
  const m = r.metrics
  const f = (v: number | null | undefined) => (v == null ? 'n/a' : String(Math.round(v * 10) / 10))
  const statuses = Object.entries(r.run.statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ')
  return [
    `${r.scenario} against ${r.target.url}: ${f(m.rps)} req/s over ${r.run.durationS.toFixed(1)} s, ${r.run.responses} answers (${statuses || 'none'}), ${r.run.errorCount} errors`,
    `latency ms: p50 ${f(m.p50)}  p90 ${f(m.p90)}  p99 ${f(m.p99)}  p99.9 ${f(m['p99.9'])}  max ${f(m.max)}`,
    ...endpointLines(r.run),
    ...lifecycleLines(r),
    ...r.audit.checks.map((c) => `audit ${c.pass ? 'PASS' : 'FAIL'} ${c.id} ${c.label}: ${c.detail}`),
    ...(r.audit.internal
      ? [
          `npm run audit equivalent: ${r.audit.internal.reachable ? r.audit.internal.detail : `skipped (${r.audit.internal.detail})`}`,
        ]
      : []),
    ...r.thresholds.map(
      (t) =>
        `threshold ${t.pass ? 'held' : 'MISSED'} ${t.text} (${t.metric} = ${t.actual ?? 'not measured'})`,
    ),
  ]
}
