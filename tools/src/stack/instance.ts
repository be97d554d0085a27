import { join } from 'node:path'
import type { ServiceName } from '@flash/routes'
import type { OutputSink } from './output.ts'
import type { Env } from './plan.ts'
import { waitForReady } from './readiness.ts'
import { type ExitInfo, type SupervisedProcess, spawnSupervised } from './supervisor.ts'

export interface StackInstance {
  readonly service: ServiceName
  readonly index: number
  readonly label: string
  readonly port: number
  readonly url: string
  readonly pid: number | undefined
  readonly running: boolean
  /** Stops this instance only; the stack does not count it as a crash. */
  stop(): Promise<ExitInfo>
  /** Stops it if running, starts it again with the same port and environment, waits for `/ready`. */
  restart(): Promise<void>
}

export interface InstanceContext {
  service: ServiceName
  index: number
  label: string
  host: string
  port: number
  env: Env
  repoRoot: string
  output: OutputSink
  graceMs: number
  readyTimeoutMs: number
  /** Why waiting should stop early (startup aborted, stack stopping), if it should. */
  interrupted: () => string | undefined
  /** Registers a new process with the stack; `expected()` tells a deliberate exit from a crash. */
  watch: (proc: SupervisedProcess, expected: () => boolean) => void
  /** What a process with this label said last, for an exit's message ('' when it said nothing). */
  lastWords: (label: string) => string
}

export const appScript = (service: ServiceName) => join('apps', service, 'src', 'server.ts')

/** One running copy of a service: spawned at once; `ready()` waits for its `/ready`. */
export function startInstance(ctx: InstanceContext): { instance: StackInstance; ready: () => Promise<void> } {
  const url = `http://${ctx.host}:${ctx.port}`
  let proc: SupervisedProcess | undefined
  let intentional = false

  const spawnIt = () => {
    intentional = false
    const current = spawnSupervised({
      label: ctx.label,
      args: [appScript(ctx.service)],
      cwd: ctx.repoRoot,
      env: ctx.env,
      output: ctx.output,
    })
    proc = current
    ctx.watch(current, () => intentional || proc !== current)
  }
  const ready = () =>
    waitForReady(`${url}/ready`, {
      timeoutMs: ctx.readyTimeoutMs,
      gaveUp: () =>
        ctx.interrupted() ?? (proc?.running ? undefined : `${ctx.label} exited${ctx.lastWords(ctx.label)}`),
    })

  const instance: StackInstance = {
    service: ctx.service,
    index: ctx.index,
    label: ctx.label,
    port: ctx.port,
    url,
    get pid() {
      return proc?.pid
    },
    get running() {
      return proc?.running ?? false
    },
    async stop() {
      intentional = true
      return proc ? proc.stop(ctx.graceMs) : { code: null, signal: null }
    },
    async restart() {
      intentional = true
      await proc?.stop(ctx.graceMs)
      spawnIt()
      await ready()
    },
  }
  spawnIt()
  return { instance, ready }
}
