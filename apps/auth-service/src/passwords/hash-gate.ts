/**
 * Bounds password hashing: at most `concurrency` hashes run at once, at most `queueMax` wait, and
 * none waits longer than `maxWaitMs`. Anything beyond is refused at once with an estimate of when
 * to come back, so an auth storm is served or shed within a bounded time instead of queueing every
 * request behind a 45 s backlog (issue 9). Hashing is CPU-bound: more concurrency than cores only
 * makes every hash slower.
 */
export class HashGateFull extends Error {
  /** Seconds after which a retry is likely to find room. */
  readonly retryAfter: number
  constructor(retryAfter: number) {
    super('password hashing is at capacity')
    this.name = 'HashGateFull'
    this.retryAfter = retryAfter
  }
}

export interface HashGateOptions {
  concurrency: number
  queueMax: number
  maxWaitMs: number
}

interface Waiter {
  start: () => void
  timer: NodeJS.Timeout
}

export class HashGate {
  readonly #options: HashGateOptions
  readonly #queue: Waiter[] = []
  #active = 0
  /** Moving average of one hash's duration, for Retry-After. */
  #averageMs = 25

  constructor(options: HashGateOptions) {
    this.#options = options
  }

  get active(): number {
    return this.#active
  }

  get waiting(): number {
    return this.#queue.length
  }

  /** Runs `task` when a slot is free; throws HashGateFull if it would have to wait beyond the bounds. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#options.concurrency) {
      if (this.#queue.length >= this.#options.queueMax) throw new HashGateFull(this.#retryAfter())
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          start: resolve,
          timer: setTimeout(() => {
            this.#queue.splice(this.#queue.indexOf(waiter), 1)
            reject(new HashGateFull(this.#retryAfter()))
          }, this.#options.maxWaitMs),
        }
        this.#queue.push(waiter)
      })
    } else {
      this.#active += 1
    }
    // The slot was handed over by #release (active unchanged) or taken above.
    const started = performance.now()
    try {
      return await task()
    } finally {
      this.#averageMs = 0.9 * this.#averageMs + 0.1 * (performance.now() - started)
      this.#release()
    }
  }

  /** Runs `task` only if a slot is free right now and nobody waits; otherwise undefined, at once. */
  async runIfIdle<T>(task: () => Promise<T>): Promise<T | undefined> {
    if (this.#active >= this.#options.concurrency || this.#queue.length) return undefined
    return this.run(task)
  }

  #release(): void {
    const next = this.#queue.shift()
    if (!next) {
      this.#active -= 1
      return
    }
    clearTimeout(next.timer)
    next.start()
  }

  #retryAfter(): number {
    const backlogMs = ((this.#queue.length + this.#active) * this.#averageMs) / this.#options.concurrency
    return Math.max(1, Math.ceil(backlogMs / 1000))
  }
}
