import type { Stack, StackInstance } from '@flash/tools'

const RESTART_DELAY_MS = 500
/** A service that keeps dying is a finding, not something to retry for ever. */
const MAX_RESTARTS = 12

/**
 * What ECS does for a task that dies: start it again after a short delay. Every unexpected exit is
 * recorded — ours (a SIGKILL the scenario sent) and the ones a service did to itself (a crash on a
 * lost connection), which the report lists separately.
 */
export class Orchestrator {
  #stack: Stack | undefined
  #ready: ((instance: StackInstance) => Promise<void>) | undefined
  #killedByUs = new Map<string, number>()
  #pending = new Set<Promise<void>>()
  readonly restarts: string[] = []
  readonly selfCrashes: string[] = []
  readonly failures: string[] = []

  attach(stack: Stack, ready: (instance: StackInstance) => Promise<void>): void {
    this.#stack = stack
    this.#ready = ready
  }

  /** Forgets what was recorded (a reused stack starts the next scenario with a clean record). */
  reset(): void {
    this.restarts.length = 0
    this.selfCrashes.length = 0
    this.failures.length = 0
  }

  /** No more restarts (teardown). */
  detach(): void {
    this.#stack = undefined
  }

  /** SIGKILL, the way the OOM killer or a lost host ends a process: no shutdown hook runs. */
  async kill(instance: StackInstance): Promise<void> {
    const pid = instance.pid
    if (!instance.running || pid === undefined) return
    this.#killedByUs.set(instance.label, (this.#killedByUs.get(instance.label) ?? 0) + 1)
    process.kill(pid, 'SIGKILL')
    // Bounded: the kernel reaps a SIGKILLed process at once; 100 × 20 ms is generous.
    for (let i = 0; i < 100 && instance.running; i++) await new Promise((r) => setTimeout(r, 20))
    // One more turn so the stack's exit callback has reached `exited` and `settled()` sees the restart.
    await new Promise((r) => setTimeout(r, 10))
  }

  exited(label: string): void {
    const mine = this.#killedByUs.get(label) ?? 0
    if (mine > 0) this.#killedByUs.set(label, mine - 1)
    else this.selfCrashes.push(label)
    const stack = this.#stack
    const instance = stack?.instances.find((i) => i.label === label)
    if (!instance) {
      if (stack) this.failures.push(`${label} exited and is not restartable`)
      return
    }
    if (this.restarts.length >= MAX_RESTARTS) {
      this.failures.push(`${label} exited; restart budget spent`)
      return
    }
    const job = this.#restart(instance).finally(() => this.#pending.delete(job))
    this.#pending.add(job)
  }

  async #restart(instance: StackInstance): Promise<void> {
    await new Promise((r) => setTimeout(r, RESTART_DELAY_MS))
    if (!this.#stack) return
    this.restarts.push(instance.label)
    // restart() spawns the new process, then its own readiness wait gives up at once because the
    // stack remembers the crash; so the readiness of the new process is awaited here instead.
    await instance.restart().catch(() => {})
    try {
      await this.#ready?.(instance)
    } catch (error) {
      this.failures.push(`${instance.label} not ready after restart: ${(error as Error).message}`)
    }
  }

  /** Resolves when every restart under way is done (bounded by the readiness timeout). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending])
  }
}
