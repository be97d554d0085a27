// `npm run load -- <scenario> [options]` and the per-service load scripts: parse, run the scenario,
// audit, write report.json + report.html, judge the thresholds. Exit 0 when the run completed, the
// audit passed and every threshold held; 1 otherwise, with the reason on the last line.
import { resolve } from 'node:path'
import { ApiClient } from '@flash/api-client'
import { Agent } from 'undici'
import { type LoadOptions, parseLoadArgs } from './args.ts'
import { runCompare } from './compare.ts'
import { USAGE } from './usage.ts'
import { createProgress } from './engine/progress.ts'
import { buildReport, summaryLines } from './report/build.ts'
import { defaultOutDir, writeLoadReport } from './report/write.ts'
import { SCENARIO_RUNNERS } from './scenarios/index.ts'
import { gitState, TOOL_NAME, toolVersion } from './meta.ts'

function fail(reason: string): never {
  process.stderr.write(`FAIL: ${reason}\n`)
  process.exit(1)
}

/** `command` is how the run is shown in the report (the per-service scripts name themselves). */
export async function runLoadCli(argv: readonly string[], command = 'npm run load --'): Promise<never> {
  if (argv[0] === 'compare') {
    try {
      const dir = await runCompare(argv.slice(1), process.env.INIT_CWD ?? process.cwd())
      process.stdout.write(`comparison: ${dir}/compare.html (and compare.json, compare.txt)\n`)
      process.exit(0)
    } catch (error) {
      fail((error as Error).message)
    }
  }
  let options: LoadOptions
  try {
    const parsed = parseLoadArgs(argv, process.env)
    if (parsed.help) {
      process.stdout.write(USAGE)
      process.exit(0)
    }
    // Paths as the user typed them: relative to where npm was started (INIT_CWD), also for the
    // per-service scripts, which npm runs inside apps/<service>.
    const here = process.env.INIT_CWD ?? process.cwd()
    options = {
      ...parsed.options,
      outDir: parsed.options.outDir === undefined ? undefined : resolve(here, parsed.options.outDir),
      buyersFile:
        parsed.options.buyersFile === undefined ? undefined : resolve(here, parsed.options.buyersFile),
    }
  } catch (error) {
    process.stderr.write('npm run load -- --help lists every scenario and option\n')
    fail((error as Error).message)
  }
  const controller = new AbortController()
  let interrupts = 0
  const onSignal = () => {
    if (++interrupts > 1) process.exit(130)
    process.stderr.write('\ninterrupted: stopping the load (again to quit at once)\n')
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const progress = createProgress(options.quiet)
  const dispatcher = new Agent({ connections: 32, keepAliveTimeout: 10_000 })
  const client = new ApiClient({ baseUrl: options.url, dispatcher, timeoutMs: 30_000 })
  const date = new Date()
  try {
    progress.say(`${options.scenario} against ${options.url}`)
    const outcome = await SCENARIO_RUNNERS[options.scenario]({
      options,
      client,
      progress,
      signal: controller.signal,
    })
    const report = buildReport({
      options,
      tool: { name: TOOL_NAME, version: toolVersion() },
      git: gitState(),
      date: date.toISOString(),
      command: [command, ...argv].join(' '),
      run: outcome.run,
      scenarioMetrics: outcome.metrics,
      audit: outcome.audit,
      setup: outcome.setup,
      buyers: outcome.buyers,
      lifecycle: outcome.lifecycle,
      notes: outcome.notes,
    })
    if (controller.signal.aborted)
      report.verdict = { pass: false, reasons: ['interrupted', ...report.verdict.reasons] }
    const dir = await writeLoadReport(report, options.outDir ?? defaultOutDir(options.scenario, date))
    for (const line of summaryLines(report)) process.stdout.write(`${line}\n`)
    process.stdout.write(`report: ${dir}/report.html (and report.json)\n`)
    await dispatcher.close()
    if (!report.verdict.pass) fail(report.verdict.reasons.join('; '))
    process.stdout.write('PASS: the run completed, the audit passed and every threshold held\n')
    process.exit(0)
  } catch (error) {
    await dispatcher.destroy().catch(() => {})
    fail(`the run did not complete: ${(error as Error).message}`)
  }
}
