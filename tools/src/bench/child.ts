// A helper process of the bench (SQS emulator, baseline server, naive server): spawned with the repo's
// Node, ready once its /health answers, stopped by its own pid (SIGTERM, then SIGKILL).
import type { OutputSink } from '../stack/output.ts'
import type { Env } from '../stack/plan.ts'
import { freePort } from '../stack/ports.ts'
import { waitForReady } from '../stack/readiness.ts'
import { REPO_ROOT } from '../stack/repo-root.ts'
import { type SupervisedProcess, spawnSupervised } from '../stack/supervisor.ts'

export interface BenchChild {
  label: string
  url: string
  port: number
  proc: SupervisedProcess
  stop(): Promise<void>
}

const live = new Set<SupervisedProcess>()

/** Last resort on exit (second Ctrl-C, uncaught error): no helper left holding a port. */
export function killChildrenNow(): void {
  for (const proc of live) {
    try {
      if (proc.running && proc.pid) process.kill(proc.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
}

export async function startChild(opts: {
  label: string
  /** Repo-relative script. */
  script: string
  env: Env
  output: OutputSink
  /** The env variable that carries the port (PORT unless the script reads another). */
  portVar?: string
  readyTimeoutMs?: number
}): Promise<BenchChild> {
  const port = await freePort()
  const proc = spawnSupervised({
    label: opts.label,
    args: [opts.script],
    cwd: REPO_ROOT,
    env: { ...opts.env, HOST: '127.0.0.1', [opts.portVar ?? 'PORT']: String(port) },
    output: opts.output,
  })
  live.add(proc)
  void proc.exited.then(() => live.delete(proc))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    await proc.stop(5_000)
  }
  try {
    await waitForReady(`${url}/health`, {
      timeoutMs: opts.readyTimeoutMs ?? 30_000,
      gaveUp: () => (proc.running ? undefined : `${opts.label} exited`),
    })
  } catch (error) {
    await stop()
    throw error
  }
  return { label: opts.label, url, port, proc, stop }
}
