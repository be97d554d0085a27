import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { EnsuredQueues } from '@flash/queue'
import { SERVICES, type ServiceName } from '@flash/routes'
import { spawnGateway } from './gateway-process.ts'
import { appScript, type StackInstance, startInstance } from './instance.ts'
import { runMigrations } from './migrate.ts'
import { type OutputSink, prefixedOutput, withLastLines } from './output.ts'
import { type Env, instanceEnv, instanceLabel, START_TIERS, sharedEnv } from './plan.ts'
import { planPorts } from './ports.ts'
import { waitForReady } from './readiness.ts'
import { REPO_ROOT } from './repo-root.ts'
import { type DevSecrets, loadOrCreateDevSecrets } from './secrets.ts'
import { setUpSqs } from './sqs-setup.ts'
import type { ExitInfo, SupervisedProcess } from './supervisor.ts'

export type { StackInstance } from './instance.ts'

export interface StackPorts {
  /** 8080 by default. */
  gateway?: number
  /** The emulator's port, 4566 by default (unused with `sqsEndpoint`). */
  sqs?: number
  /** Port of each instance in order; by default the service's port + 100 × instance index. */
  services?: Partial<Record<ServiceName, readonly number[]>>
}

export interface StackOptions {
  repoRoot?: string
  /** Interface every process listens on. */
  host?: string
  /** Instances per service; 0 leaves one out. Default: 1 for every app whose server.ts exists. */
  instances?: Partial<Record<ServiceName, number>>
  /** A port of 0 means any free port. */
  ports?: StackPorts
  /** Every port not set in `ports` comes from the OS (test files running side by side). */
  freePorts?: boolean
  /** Environment for every child, over the caller's: DATABASE_URL, REDIS_KEY_PREFIX, queue names … */
  env?: Env
  /** Environment for one service's instances only (wins over the stack's peer URLs too). */
  serviceEnv?: Partial<Record<ServiceName, Env>>
  /** Pass this process's environment to the children (default true). */
  inheritEnv?: boolean
  /** Use these instead of the secrets kept in `secretsDir`. */
  secrets?: DevSecrets
  /** Default `<repo>/tmp/dev-keys`. */
  secretsDir?: string
  /** Run `packages/db/src/cli.ts up` first (default true). */
  migrate?: boolean
  /** An SQS endpoint already running; otherwise the stack starts its own emulator. */
  sqsEndpoint?: string
  /** Start the gateway (default true). */
  gateway?: boolean
  readyTimeoutMs?: number
  /** How long a child may take to stop after SIGTERM before it gets SIGKILL. */
  graceMs?: number
  output?: OutputSink
  /** Aborting during startup stops what was started and rejects. */
  signal?: AbortSignal
  /** A child exiting on its own stops the whole stack (default true). Crash tests turn this off. */
  stopOnUnexpectedExit?: boolean
  onUnexpectedExit?: (label: string, info: ExitInfo) => void
}

export type StackExit =
  | { reason: 'stopped' }
  | { reason: 'crashed'; label: string; code: number | null; signal: NodeJS.Signals | null }

export interface Stack {
  gatewayUrl: string | undefined
  sqsEndpoint: string
  queues: EnsuredQueues
  /** Base URL of every instance, per service. */
  urls: Partial<Record<ServiceName, string[]>>
  instances: readonly StackInstance[]
  secrets: DevSecrets
  /** The environment shared by every child (before each instance's PORT and peers). */
  env: Env
  /** Settles when the stack has stopped: after `stop()`, or after a child died. */
  done: Promise<StackExit>
  stop(): Promise<void>
}

function instanceCounts(repoRoot: string, wanted: StackOptions['instances'], say: (line: string) => void) {
  const counts = {} as Record<ServiceName, number>
  for (const service of SERVICES) {
    const present = existsSync(join(repoRoot, appScript(service)))
    const n = wanted?.[service]
    if (n && !present) throw new Error(`${appScript(service)} does not exist`)
    if (n === undefined && !present) say(`${service}: ${appScript(service)} not found, skipped`)
    counts[service] = n ?? (present ? 1 : 0)
  }
  return counts
}

/**
 * Starts the whole platform: migrations, the SQS emulator and queues, every service instance tier by
 * tier (each waits for `/ready`), then the gateway, all as supervised child processes. `npm start`
 * and the end-to-end tests both go through here; a failure at any step stops what was started.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const repoRoot = options.repoRoot ?? REPO_ROOT
  const host = options.host ?? '127.0.0.1'
  const tails = withLastLines(options.output ?? prefixedOutput())
  const output = tails.sink
  const graceMs = options.graceMs ?? 10_000
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000
  const say = (line: string) => output('stack', line, 'stdout')

  const children = new Set<SupervisedProcess>()
  // Last resort if this process exits without stop(): no orphaned servers left holding the ports.
  const killAll = () => {
    for (const child of children) {
      try {
        if (child.running && child.pid) process.kill(child.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
  }
  process.on('exit', killAll)

  const stoppers: (() => Promise<unknown>)[] = []
  let stopping: Promise<void> | undefined
  let settle: (exit: StackExit) => void = () => {}
  const done = new Promise<StackExit>((resolve) => {
    settle = resolve
  })
  const stopAll = (exit: StackExit) => {
    stopping ??= (async () => {
      // Reverse start order: the gateway stops routing before the services behind it go away.
      for (let stop = stoppers.pop(); stop; stop = stoppers.pop()) {
        await stop().catch((error: Error) => say(`while stopping: ${error.message}`))
      }
      process.off('exit', killAll)
      settle(exit)
    })()
    return stopping
  }
  let crash: string | undefined
  const interrupted = () =>
    options.signal?.aborted ? 'startup aborted' : (crash ?? (stopping ? 'the stack is stopping' : undefined))
  const checkpoint = () => {
    const reason = interrupted()
    if (reason) throw new Error(reason)
  }
  // What a crashed child said last, in the crash message: a boot failure's cause reaches the caller's
  // error (a test harness that drops the children's output still shows it).
  const lastWords = (label: string) => {
    const lines = tails.lastLines(label)
    return lines.length ? `; its last lines:\n  ${lines.slice(-8).join('\n  ')}` : ''
  }
  const watch = (proc: SupervisedProcess, expected: () => boolean) => {
    children.add(proc)
    void proc.exited.then((info) => {
      children.delete(proc)
      if (stopping || expected()) return
      crash ??= `${proc.label} exited unexpectedly (${info.code ?? info.signal})${lastWords(proc.label)}`
      say(crash)
      options.onUnexpectedExit?.(proc.label, info)
      if (options.stopOnUnexpectedExit !== false) {
        void stopAll({ reason: 'crashed', label: proc.label, code: info.code, signal: info.signal })
      }
    })
  }

  try {
    const counts = instanceCounts(repoRoot, options.instances, say)
    const secretsDir = options.secretsDir ?? join(repoRoot, 'tmp', 'dev-keys')
    const secrets = options.secrets ?? (await loadOrCreateDevSecrets(secretsDir))
    const shared = sharedEnv(options.inheritEnv === false ? {} : process.env, secrets, options.env ?? {})

    const { ports, gatewayPort } = await planPorts({
      counts,
      ports: options.ports,
      host,
      free: options.freePorts ?? false,
      gateway: options.gateway !== false,
    })
    const urls: Partial<Record<ServiceName, string[]>> = {}
    for (const s of SERVICES) if (counts[s] > 0) urls[s] = ports[s].map((p) => `http://${host}:${p}`)

    if (options.migrate !== false) {
      say('running migrations')
      await runMigrations({ repoRoot, env: shared, output })
    }
    checkpoint()

    const sqs = await setUpSqs({
      ...(options.sqsEndpoint ? { endpoint: options.sqsEndpoint } : {}),
      port: options.ports?.sqs ?? (options.freePorts ? 0 : 4566),
      host,
      env: { ...shared, ...options.serviceEnv?.['order-finalizer'] },
    })
    stoppers.push(() => sqs.stop())
    say(`SQS on ${sqs.endpoint}: ${sqs.queues.queueUrl}`)
    checkpoint()

    const topology = { host, sqsEndpoint: sqs.endpoint, urls }
    const instances: StackInstance[] = []
    for (const tier of START_TIERS) {
      const started = tier.flatMap((service) =>
        ports[service].map((port, index) =>
          startInstance({
            service,
            index,
            port,
            host,
            label: instanceLabel(service, index, counts[service]),
            env: instanceEnv(shared, options.serviceEnv?.[service], index, port, topology),
            repoRoot,
            output,
            graceMs,
            readyTimeoutMs,
            interrupted,
            watch,
            lastWords,
          }),
        ),
      )
      stoppers.push(() => Promise.all(started.map((s) => s.instance.stop())))
      await Promise.all(started.map((s) => s.ready()))
      instances.push(...started.map((s) => s.instance))
      if (started.length) say(`${tier.filter((s) => counts[s] > 0).join(', ')} ready`)
      checkpoint()
    }

    let gatewayUrl: string | undefined
    if (gatewayPort !== undefined) {
      const port = gatewayPort
      const gateway = spawnGateway({ host, port, urls, env: shared, repoRoot, output })
      watch(gateway, () => false)
      stoppers.push(() => gateway.stop(graceMs))
      gatewayUrl = `http://${host}:${port}`
      await waitForReady(`${gatewayUrl}/health`, {
        timeoutMs: readyTimeoutMs,
        gaveUp: () => interrupted() ?? (gateway.running ? undefined : 'gateway exited'),
      })
      say(`gateway on ${gatewayUrl}`)
    }
    checkpoint()

    return {
      gatewayUrl,
      sqsEndpoint: sqs.endpoint,
      queues: sqs.queues,
      urls,
      instances,
      secrets,
      env: shared,
      done,
      stop: () => stopAll({ reason: 'stopped' }),
    }
  } catch (error) {
    await stopAll({ reason: 'stopped' })
    throw error
  }
}
