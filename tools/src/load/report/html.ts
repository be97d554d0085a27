// report.html of `npm run load`: verdict, headline numbers, the three charts, audit, thresholds,
// statuses and errors, the scenario's numbers and every parameter of the run.
import type { LoadReport } from './build.ts'
import { endpointRows } from './endpoints.ts'
import { collapsible, esc, htmlTable, type Page, type Section } from './html-page.ts'

const num = (v: unknown) =>
  typeof v === 'number'
    ? Number.isInteger(v)
      ? v.toLocaleString('en-US')
      : v.toFixed(2)
    : String(v ?? 'n/a')

function cards(r: LoadReport): string {
  const m = r.metrics
  const items: [string, unknown][] = [
    ['req/s', m.rps],
    ['answers', m.responses],
    ['p50 ms', m.p50],
    ['p99 ms', m.p99],
    ['p99.9 ms', m['p99.9']],
    ['max ms', m.max],
    ['errors', m.errors],
    ['5xx', m['5xx']],
  ]
  return `<div class="cards">${items.map(([k, v]) => `<div class="card">${esc(k)}<b>${esc(num(v))}</b></div>`).join('')}</div>`
}

/** A mixed run's endpoints side by side (rate, statuses, p50/p99); nothing for a single-endpoint run. */
function endpointSection(r: LoadReport): Section[] {
  const rows = endpointRows(r.run)
  if (!rows.length) return []
  return [
    {
      title: 'Per endpoint',
      html: htmlTable(
        ['endpoint', 'answers', 'req/s', 'p50 ms', 'p99 ms', 'statuses'],
        rows.map((e) => [e.endpoint, num(e.responses), num(e.rps), num(e.p50), num(e.p99), e.statuses]),
      ),
    },
  ]
}

/** flash-sale --pay: the payment window over the run, as a chart and in numbers. */
function lifecycleSection(r: LoadReport): Section[] {
  if (!r.lifecycle) return []
  const m = r.metrics
  return [
    {
      title: 'Payment window',
      lifecycle: r.lifecycle,
      html: htmlTable(
        ['paid', 'expired', 'cancelled', 'bought again', 'came back while the sale was open'],
        [[m.paid, m.expired, m.cancelled, m.resold, m.returned_while_open].map(num)],
      ),
    },
  ]
}

export function loadPage(r: LoadReport): Page {
  const audit = r.audit
  const internal = audit.internal
  const sections: Section[] = [
    { title: 'Summary', html: cards(r) },
    {
      title: 'Throughput and latency',
      html: '',
      charts: { ...r.run.series, dist: r.run.distribution, summary: r.run.latency },
    },
    ...endpointSection(r),
    ...lifecycleSection(r),
    {
      title: 'Audit',
      html:
        htmlTable(
          ['check', 'what', 'result', 'detail'],
          audit.checks.map((c) => [c.id, c.label, c.pass ? 'PASS' : 'FAIL', c.detail]),
        ) +
        (internal
          ? `<p>npm run audit (inventory's internal stock-state): ${esc(internal.reachable ? internal.detail : `skipped — ${internal.detail}`)}</p>` +
            (internal.findings.length
              ? collapsible(
                  `${internal.findings.length} findings over ${new Set(internal.findings.map((f) => f.product_id)).size} products: ` +
                    `${internal.findings.filter((f) => f.ok).length} passed, ${internal.findings.filter((f) => !f.ok).length} failed (open for every row)`,
                  internal.findings.length,
                  htmlTable(
                    ['product', 'invariant', 'result', 'detail'],
                    internal.findings.map((f) => [
                      f.product_id,
                      f.invariant,
                      f.ok ? 'PASS' : 'FAIL',
                      f.detail,
                    ]),
                  ),
                )
              : '')
          : ''),
    },
    {
      title: 'Thresholds (--expect)',
      html: r.thresholds.length
        ? htmlTable(
            ['threshold', 'measured', 'result'],
            r.thresholds.map((t) => [t.text, num(t.actual), t.pass ? 'held' : 'MISSED']),
          )
        : '<p>none given</p>',
    },
    {
      title: 'Statuses and errors',
      html:
        htmlTable(
          ['status', 'answers'],
          Object.entries(r.run.statuses).map(([s, n]) => [s, num(n)]),
        ) +
        (Object.keys(r.run.errors).length
          ? htmlTable(
              ['error', 'count'],
              Object.entries(r.run.errors).map(([e, n]) => [e, num(n)]),
            )
          : '<p>no connection errors, no timeouts</p>'),
    },
    {
      title: 'Latency percentiles (HDR histogram, all answers)',
      html: htmlTable(
        ['count', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max'],
        [
          [
            r.run.latency.count,
            r.run.latency.mean,
            r.run.latency.p50,
            r.run.latency.p90,
            r.run.latency.p99,
            r.run.latency.p99_9,
            r.run.latency.max,
          ].map(num),
        ],
      ),
    },
    {
      title: 'Scenario numbers',
      html:
        htmlTable(
          ['metric', 'value'],
          Object.entries(r.metrics)
            .filter(([k]) => !k.startsWith('status.'))
            .map(([k, v]) => [k, num(v)]),
        ) + (r.notes.length ? `<ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''),
    },
    {
      title: 'Parameters',
      html: htmlTable(
        ['parameter', 'value'],
        [
          ['command', r.command],
          ['target', r.target.url],
          ['tool', `${r.tool.name} ${r.tool.version}`],
          ['commit', r.git ? `${r.git.commit}${r.git.dirty ? ' (+ uncommitted changes)' : ''}` : 'unknown'],
          ...Object.entries(r.params).map(([k, v]) => [
            k,
            typeof v === 'object' ? JSON.stringify(v) : String(v),
          ]),
          ...Object.entries(r.setup).map(([k, v]) => [
            `setup.${k}`,
            typeof v === 'object' ? JSON.stringify(v) : String(v),
          ]),
          ...(r.buyers ? [['buyers', JSON.stringify(r.buyers)]] : []),
        ],
      ),
    },
  ]
  return {
    title: `Load report: ${r.scenario}`,
    subtitle: `${r.date} · ${r.target.url} · ${r.run.durationS.toFixed(1)} s`,
    verdict: { pass: r.verdict.pass, text: r.verdict.pass ? 'PASS' : `FAIL — ${r.verdict.reasons[0] ?? ''}` },
    sections,
  }
}
