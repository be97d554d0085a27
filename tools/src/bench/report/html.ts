// report.html of `npm run bench`: the same self-contained page as the load tool's report — targets,
// then per scenario its charts (answers/s by status, latency per second, percentile spectrum), numbers
// and checks — built from the same pieces (tools/src/load/report/html-page.ts).
import { esc, htmlTable, type Page, type Section } from '../../load/report/html-page.ts'
import { fmtNum, formatCpu, formatStatuses, verdict } from './format.ts'
import { type Report, SCENARIOS, type ScenarioResult } from './types.ts'

function scenarioSection(r: ScenarioResult): Section {
  if (r.error || !r.load)
    return { title: r.name, html: `<p>did not complete: ${esc(r.error ?? 'no load result')}</p>` }
  const l = r.load
  const h = l.hdr?.latency
  const s = r.authStorm
  const f = r.finalizer
  const given = (v: number | null | undefined) => (v == null ? undefined : fmtNum(v))
  const rows = (
    [
      ['connections', String(l.connections)],
      [s ? 'answers/s' : 'req/s', fmtNum(l.rps)],
      ['accepted/s', given(r.acceptedPerS)],
      ['sold out in (ms)', given(r.sellOutMs)],
      ['offered rate (req/s)', given(r.offeredRate)],
      [
        'every order terminal after the last request (ms)',
        r.terminalAfterLoadMs === undefined ? undefined : fmtNum(r.terminalAfterLoadMs),
      ],
      [
        'auth storm',
        s &&
          `${fmtNum(s.usersIn)} of ${fmtNum(s.users)} users in, ${fmtNum(s.shed)} shed, ` +
            `${fmtNum(s.loginsPerS)} logins/s, ${s.passwordParams}`,
      ],
      ['statuses', formatStatuses(l.statuses, l.errors)],
      [
        'every answer (HDR): p50 / p90 / p99 / p99.9 / max ms',
        h
          ? [h.p50, h.p90, h.p99, h.p99_9, h.max].map((v) => fmtNum(v, 1)).join(' / ')
          : `${fmtNum(l.p50Ms)} / ${fmtNum(l.p90Ms)} / ${fmtNum(l.p99Ms)} / n/a / ${fmtNum(l.maxMs)}`,
      ],
      ['CPU (cores)', l.cpu && formatCpu(l.cpu)],
      [
        'finalizer',
        f &&
          `${fmtNum(f.completed)} completed, ${fmtNum(f.failed)} failed, ${fmtNum(f.commitsPerS)} commits/s first→last`,
      ],
    ] as [string, string | undefined][]
  ).filter((row): row is [string, string] => row[1] !== undefined)
  const checks = r.checks?.length
    ? htmlTable(
        ['check', 'what', 'result', 'detail'],
        r.checks.map((c) => [c.id, c.label, c.pass ? 'PASS' : 'FAIL', c.detail]),
      )
    : ''
  const notes = r.notes.length ? `<ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''
  return {
    title: r.name,
    html: htmlTable(['measure', 'value'], rows) + checks + notes,
    charts: l.hdr ? { ...l.hdr.series, dist: l.hdr.distribution, summary: l.hdr.latency } : undefined,
  }
}

export function benchPage(report: Report): Page {
  const failed = report.targets.filter((t) => t.pass === false).length
  const checksFailed = SCENARIOS.some((s) => report.results[s]?.checks?.some((c) => !c.pass))
  const m = report.machine
  return {
    title: 'Benchmark report',
    subtitle:
      `${report.date} · ${report.command} · ${m.cpus} cores (${m.cpuModel}), Node ${m.node}` +
      (report.git ? ` · ${report.git.commit}${report.git.dirty ? ' + changes' : ''}` : ''),
    verdict: {
      pass: !checksFailed,
      text: `${checksFailed ? 'correctness checks FAILED' : 'correctness checks passed'} · ${failed} target(s) missed`,
    },
    sections: [
      {
        title: 'Targets (docs/benchmarks.md, ratios from this run)',
        html: htmlTable(
          ['target', 'goal', 'measured', 'result', 'context'],
          report.targets.map((t) => [t.label, t.goal, t.measured, verdict(t.pass, t.info), t.context ?? '']),
        ),
      },
      ...SCENARIOS.flatMap((s) => (report.results[s] ? [scenarioSection(report.results[s])] : [])),
      {
        title: 'Problems seen',
        html: report.problems.length
          ? `<ul>${report.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`
          : '<p>none</p>',
      },
      {
        title: 'Options',
        html: htmlTable(
          ['option', 'value'],
          Object.entries(report.options).map(([k, v]) => [
            k,
            typeof v === 'object' ? JSON.stringify(v) : String(v),
          ]),
        ),
      },
    ],
  }
}
