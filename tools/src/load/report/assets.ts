// uPlot's script and stylesheet, read from node_modules and inlined into every report.html: the
// report opens from disk and loads nothing from the network.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

export interface Assets {
  js: string
  css: string
}

export async function loadAssets(): Promise<Assets> {
  const require = createRequire(import.meta.url)
  const [js, css] = await Promise.all([
    readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  ])
  return { js, css }
}
