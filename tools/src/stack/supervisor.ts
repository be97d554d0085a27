import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import type { OutputSink } from './output.ts'

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface SupervisedOptions {
  label: string
  /** Script and its arguments, run with this process's Node (Node 24 under npm). */
  args: readonly string[]
  cwd: string
  env: Record<string, string | undefined>
  output: OutputSink
}

export interface SupervisedProcess {
  readonly label: string
  readonly pid: number | undefined
  readonly running: boolean
  /** Settles once the process has exited and its output is flushed. */
  readonly exited: Promise<ExitInfo>
  /** SIGTERM, then SIGKILL if it is still alive after `graceMs`; resolves when it is gone. */
  stop(graceMs: number): Promise<ExitInfo>
}

function pipeLines(stream: Readable, label: string, kind: 'stdout' | 'stderr', output: OutputSink) {
  createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
    output(label, line, kind),
  )
}

/** Preloaded into each child: it exits when its IPC channel to us closes (see parent-watch.ts). */
const PARENT_WATCH = new URL('./parent-watch.ts', import.meta.url).href

/**
 * A Node child with labelled output. It gets its own process group (`detached`), so a Ctrl-C in the
 * terminal reaches only the supervisor, which then stops the children in order instead of all of them
 * dropping at once. A detached child would outlive us, so it also gets an IPC channel that it watches:
 * when this process dies, however it dies, the channel closes and the child exits within seconds.
 */
export function spawnSupervised({ label, args, cwd, env, output }: SupervisedOptions): SupervisedProcess {
  const child = spawn(process.execPath, ['--import', PARENT_WATCH, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  })
  // Only its closing matters; it must not keep this process alive on its own.
  child.channel?.unref()
  // Both are pipes (stdio above); the typings have no overload for a four-entry stdio.
  pipeLines(child.stdout!, label, 'stdout', output)
  pipeLines(child.stderr!, label, 'stderr', output)
  let running = true
  const exited = new Promise<ExitInfo>((resolve) => {
    const done = (info: ExitInfo) => {
      running = false
      resolve(info)
    }
    child.once('close', (code, signal) => done({ code, signal }))
    child.once('error', (error) => {
      output(label, `failed to start: ${error.message}`, 'stderr')
      done({ code: null, signal: null })
    })
  })

  return {
    label,
    get pid() {
      return child.pid
    },
    get running() {
      return running
    },
    exited,
    async stop(graceMs) {
      if (!running) return exited
      child.kill('SIGTERM')
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), graceMs)
      })
      if ((await Promise.race([exited, late])) === 'late') {
        output(label, `still running ${graceMs} ms after SIGTERM: sending SIGKILL`, 'stderr')
        child.kill('SIGKILL')
      }
      clearTimeout(timer)
      return exited
    },
  }
}
