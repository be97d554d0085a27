import type { Env } from '@flash/tools'
import { type FaultStack, startFaultStack } from './fault-stack.ts'
import { Scope } from './scope.ts'

/**
 * Hands each scenario a stack: the previous one again if it kept the whole contract (it is then as
 * good as new, and a stack costs ~20 s of the 2 cores to start), a fresh one otherwise — after a
 * failure, damage left behind must not count against the next fault.
 */
export class StackKeeper {
  #current: { scope: Scope; fs: FaultStack; env: string } | undefined
  readonly #alwaysFresh: boolean

  constructor({ alwaysFresh }: { alwaysFresh: boolean }) {
    this.#alwaysFresh = alwaysFresh
  }

  async acquire(env: Env = {}): Promise<{ fs: FaultStack; reused: boolean }> {
    const key = JSON.stringify(env)
    if (this.#current && this.#current.env === key && !this.#alwaysFresh) {
      this.#current.fs.orchestrator.reset()
      return { fs: this.#current.fs, reused: true }
    }
    await this.discard()
    const scope = new Scope()
    try {
      const fs = await startFaultStack(scope, env)
      this.#current = { scope, fs, env: key }
      return { fs, reused: false }
    } catch (error) {
      await scope.close()
      throw error
    }
  }

  /** Stops the current stack and removes its database, keys and queues. */
  async discard(): Promise<string[]> {
    const current = this.#current
    this.#current = undefined
    return current ? current.scope.close() : []
  }
}
