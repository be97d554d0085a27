// `npm run load -- compare A/report.json B/report.json [--out DIR]`: prints the side-by-side and
// writes compare.json, compare.txt and compare.html (default tmp/load/<time>-compare).
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { LoadReport } from './report/build.ts'
import { REPO_ROOT } from '../stack/repo-root.ts'
import { loadAssets } from './report/assets.ts'
import { compareLines, compareReports, deltaText } from './report/compare.ts'
import { htmlTable, renderPage } from './report/html-page.ts'
import { defaultOutDir } from './report/write.ts'

async function readReport(path: string): Promise<LoadReport> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`)
  }
  const report = JSON.parse(text) as LoadReport
  if (!report.metrics || !report.run || !report.audit)
    throw new Error(`${path} is not a report.json of npm run load`)
  return report
}

/** argv after `compare`; returns the directory written. */
export async function runCompare(argv: readonly string[], here: string): Promise<string> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: { out: { type: 'string' } },
  })
  if (positionals.length !== 2)
    throw new Error('compare wants two report.json files: compare A/report.json B/report.json')
  const paths = positionals.map((p) => resolve(here, p)) as [string, string]
  const [a, b] = await Promise.all(paths.map(readReport))
  const comparison = compareReports(a!, b!, [positionals[0]!, positionals[1]!])
  const lines = compareLines(comparison)
  const dir =
    values.out === undefined ? resolve(REPO_ROOT, defaultOutDir('compare')) : resolve(here, values.out)
  await mkdir(dir, { recursive: true })
  const page = renderPage(
    {
      title: `Load comparison: ${a!.scenario}`,
      subtitle: lines.slice(0, 2).join(' · '),
      sections: [
        {
          title: 'A and B side by side',
          html: htmlTable(
            ['', 'metric', 'A', 'B', 'B − A'],
            comparison.rows.map((r) => [r.group, r.metric, r.a ?? '–', r.b ?? '–', deltaText(r)]),
          ),
        },
      ],
    },
    await loadAssets(),
  )
  await Promise.all([
    writeFile(join(dir, 'compare.json'), `${JSON.stringify(comparison, null, 2)}\n`),
    writeFile(join(dir, 'compare.txt'), `${lines.join('\n')}\n`),
    writeFile(join(dir, 'compare.html'), page),
  ])
  for (const line of lines) process.stdout.write(`${line}\n`)
  return dir
}
