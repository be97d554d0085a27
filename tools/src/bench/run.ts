// `npm run bench -- [--duration s] [--connections n] [--only scenario,…] …` (see --help and
// docs/benchmarks.md): starts the whole stack on free ports with its own database, Redis prefix and
// queues, runs the load scenarios in order, prints the table and writes tmp/bench/report.{json,md}.
// Everything it started is stopped and removed at the end, on error and on Ctrl-C (twice: at once).
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, platform as osPlatform, release, totalmem } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { gitState } from '../load/meta.ts'
import { REPO_ROOT } from '../stack/repo-root.ts'
import { type BenchOptions, connectionsFor, parseBenchArgs, USAGE } from './args.ts'
import { killChildrenNow } from './child.ts'
import { Cleanup } from './cleanup.ts'
import { startPlatform } from './platform.ts'
import { loadAssets } from '../load/report/assets.ts'
import { renderPage } from '../load/report/html-page.ts'
import { benchPage } from './report/html.ts'
import { renderMarkdown } from './report/markdown.ts'
import { evaluateTargets } from './report/targets.ts'
import type { Report, Results, ScenarioName } from './report/types.ts'
import { accepted } from './runs/accepted.ts'
import { baseline } from './runs/baseline.ts'
import type { RunContext } from './runs/context.ts'
import { flashSale } from './runs/flash-sale.ts'
import { naive } from './runs/naive.ts'
import { soldOut } from './runs/sold-out.ts'
import { soldOutRate } from './runs/sold-out-rate.ts'
import { authStorm } from './runs/auth-storm.ts'
import { ServiceLog } from './service-log.ts'

const RUNNERS: Record<ScenarioName, (ctx: RunContext) => Promise<Results[ScenarioName]>> = {
  baseline,
  'sold-out': soldOut,
  'sold-out-rate': soldOutRate,
  accepted,
  'flash-sale': flashSale,
  naive,
  'auth-storm': authStorm,
}

/** Pause between scenarios: longer than the services' inventory timeout (2 s). */
const SETTLE_MS = 3_000
/** Cores used by processes outside the bench during a measured run above which the report warns. */
const NOISE_CORES = 0.25

const say = (line: string) => process.stdout.write(`bench | ${line}\n`)

function parse(): BenchOptions {
  try {
    const parsed = parseBenchArgs(process.argv.slice(2))
    if (parsed.help) {
      process.stdout.write(USAGE)
      process.exit(0)
    }
    return parsed.options
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
}

function machine(): Report['machine'] {
  const list = cpus()
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${osPlatform()} ${release()}`,
  }
}

async function writeReport(options: BenchOptions, report: Report): Promise<string> {
  const dir = isAbsolute(options.outDir) ? options.outDir : join(REPO_ROOT, options.outDir)
  await mkdir(dir, { recursive: true })
  const markdown = renderMarkdown(report)
  await writeFile(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`)
  await writeFile(join(dir, 'report.md'), markdown)
  await writeFile(join(dir, 'report.html'), renderPage(benchPage(report), await loadAssets()))
  process.stdout.write(`\n${markdown}\n`)
  return dir
}

const options = parse()
const controller = new AbortController()
let interrupts = 0
const onSignal = (signal: NodeJS.Signals) => {
  interrupts++
  if (interrupts === 1) {
    say(`${signal}: stopping the load and cleaning up (again to kill everything at once)`)
    controller.abort()
  } else {
    killChildrenNow()
    process.exit(130)
  }
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)
process.on('exit', killChildrenNow)

const cleanup = new Cleanup()
const log = new ServiceLog()
const problems: string[] = []
const results: Results = {}
const date = new Date().toISOString()
let exitCode = 0
let started = false

try {
  const platform = await startPlatform({ options, log, cleanup, signal: controller.signal, say })
  started = true
  const ctx: RunContext = {
    options,
    platform,
    signal: controller.signal,
    log,
    say,
    results,
    problem: (line) => {
      problems.push(line)
      say(`PROBLEM ${line}`)
    },
  }
  for (const name of options.scenarios) {
    if (controller.signal.aborted) break
    log.phase = name
    say(
      name === 'auth-storm'
        ? `${name}: ${options.stormUsers} users arriving at ${options.stormRate}/s`
        : `${name}: ${options.durationS} s at ${connectionsFor(options, name)} connections`,
    )
    try {
      const result = await RUNNERS[name](ctx)
      const other = result?.load?.cpu?.other ?? 0
      if (result && other > NOISE_CORES) {
        ctx.problem(
          `${name}: other processes on the box used ${other.toFixed(2)} of the 2 cores during the measured run: ` +
            'its numbers (and ratios built on them) are depressed by that much noise',
        )
      }
      const overflows = result?.load?.listenOverflows
      if (result && overflows) {
        result.notes.push(
          `the kernel dropped ${overflows} connection attempts (listen queue overflow, host-wide) while the ` +
            `${result.load?.connections} connections opened: those requests waited for a SYN/ACK retransmit`,
        )
      }
      results[name] = result
    } catch (error) {
      const message = (error as Error).message
      results[name] = { name, notes: [], error: message }
      ctx.problem(`${name} did not complete: ${message}`)
      exitCode = 1
    }
    // Requests cut off by the end of the load finish (or time out) in the services now: let them settle
    // so their log lines are counted against this scenario, and the next one starts on a quiet box.
    await sleep(SETTLE_MS, undefined, { signal: controller.signal }).catch(() => {})
  }
  log.phase = 'teardown'
  if (controller.signal.aborted) problems.push('interrupted: the report is partial')
  problems.push(...log.summary())
  for (const r of Object.values(results)) {
    if (r?.checks?.some((c) => !c.pass)) exitCode = 1
  }
  const report: Report = {
    date,
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
      ' ',
    ),
    machine: machine(),
    git: gitState(),
    options: {
      duration_s: options.durationS,
      warmup_s: options.warmupS,
      connections: Object.fromEntries(options.scenarios.map((s) => [s, connectionsFor(options, s)])),
      buyers: options.buyers,
      ...(options.scenarios.includes('sold-out-rate') && options.rate ? { rate: options.rate } : {}),
      ...(options.scenarios.includes('auth-storm')
        ? { storm_users: options.stormUsers, storm_rate: options.stormRate }
        : {}),
      instances: options.instances,
      via_gateway: options.viaGateway,
      ...(Object.keys(options.serviceEnv).length ? { service_env: options.serviceEnv } : {}),
    },
    results,
    targets: evaluateTargets(results),
    problems,
    serviceLog: log.samples,
  }
  const dir = await writeReport(options, report)
  say(`report written to ${join(dir, 'report.json')}, report.md and report.html`)
} catch (error) {
  exitCode = 1
  process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`)
  if (!started) process.stderr.write(`last output of the stack:\n${log.tail()}\n`)
} finally {
  log.phase = 'teardown'
  say('stopping the stack and removing the bench database, Redis keys and queues')
  const failures = await cleanup.run()
  for (const f of failures) process.stderr.write(`cleanup: ${f}\n`)
  if (failures.length) exitCode = 1
}
process.exit(controller.signal.aborted ? 130 : exitCode)
