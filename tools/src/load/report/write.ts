// Writes report.json and report.html into the run's folder (default tmp/load/<time>-<scenario>).
import { mkdir, writeFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { REPO_ROOT } from '../../stack/repo-root.ts'
import { loadAssets } from './assets.ts'
import type { LoadReport } from './build.ts'
import { loadPage } from './html.ts'
import { renderPage } from './html-page.ts'

export function defaultOutDir(scenario: string, date = new Date()): string {
  return join('tmp/load', `${date.toISOString().replace(/[:.]/g, '-')}-${scenario}`)
}

export async function writeLoadReport(report: LoadReport, outDir: string): Promise<string> {
  const dir = isAbsolute(outDir) ? outDir : join(REPO_ROOT, outDir)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`)
  await writeFile(join(dir, 'report.html'), renderPage(loadPage(report), await loadAssets()))
  return dir
}
