// A self-contained HTML page of sections (tables and charts) — the load report and the bench report
// are both built from it. Data travel as JSON inside the page; uPlot is inlined.
import type { LifecycleSeries } from '../audit/lifecycle.ts'
import type { Distribution, LatencySummary } from '../engine/latency.ts'
import type { Series } from '../engine/recorder.ts'
import type { Assets } from './assets.ts'
import { CHARTS_SCRIPT } from './charts-script.ts'

export interface ChartData extends Series {
  dist: Distribution
  /** The run's percentiles: what the latency legends show when no point is hovered (a static view). */
  summary?: LatencySummary | undefined
}

export interface Section {
  title: string
  /** Trusted HTML built with `esc` / `htmlTable`. */
  html: string
  charts?: ChartData | undefined
  /** A chart of orders paid / expired / cancelled over time (flash-sale --pay). */
  lifecycle?: LifecycleSeries | undefined
}

export interface Page {
  title: string
  subtitle: string
  verdict?: { pass: boolean; text: string } | undefined
  sections: Section[]
}

export const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

export function htmlTable(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
  cls = '',
): string {
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('')
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')
  return `<table class="${cls}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
}

/** Tables longer than this (a product per row) are collapsed behind their summary line. */
export const COLLAPSE_ROWS = 8

/** `table` as is when it has few rows, else folded into a <details> that opens on `summary`. */
export function collapsible(summary: string, rows: number, table: string): string {
  return rows > COLLAPSE_ROWS ? `<details><summary>${esc(summary)}</summary>\n${table}</details>` : table
}

/** JSON that is safe inside a <script> element (no "</script>", no HTML comment openers). */
export const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c')

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1140px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.sub{color:#666;margin-bottom:12px} table{border-collapse:collapse;margin:6px 0 12px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top} th{background:#f4f4f4}
.verdict{display:inline-block;padding:4px 10px;border-radius:4px;font-weight:600;color:#fff}
.pass{background:#2a9d3f} .fail{background:#d62828} .chart{margin:8px 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0} .card{border:1px solid #ddd;border-radius:6px;padding:6px 12px}
.card b{display:block;font-size:18px} summary{cursor:pointer;margin:6px 0}`

export function renderPage(page: Page, assets: Assets): string {
  const data: (ChartData | { lifecycle: LifecycleSeries })[] = []
  const sections = page.sections.map((s) => {
    let charts = ''
    if (s.charts) {
      const i = data.push(s.charts) - 1
      charts = ['throughput', 'latency', 'distribution']
        .map((kind) => `<div class="chart" data-chart="${i}" data-kind="${kind}"></div>`)
        .join('\n')
    }
    if (s.lifecycle) {
      const i = data.push({ lifecycle: s.lifecycle }) - 1
      charts += `<div class="chart" data-chart="${i}" data-kind="lifecycle"></div>`
    }
    return `<section><h2>${esc(s.title)}</h2>\n${charts}\n${s.html}</section>`
  })
  const verdict = page.verdict
    ? `<span class="verdict ${page.verdict.pass ? 'pass' : 'fail'}">${esc(page.verdict.text)}</span>`
    : ''
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(page.title)}</title>
<style>${assets.css}</style><style>${STYLE}</style></head>
<body><h1>${esc(page.title)}</h1><div class="sub">${esc(page.subtitle)}</div>${verdict}
${sections.join('\n')}
<script type="application/json" id="chart-data">${scriptJson(data)}</script>
<script>${assets.js}</script>
<script>${CHARTS_SCRIPT}</script>
</body></html>
`
}
