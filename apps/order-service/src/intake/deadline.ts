/** The dependency did not answer in time; what it was asked may still happen. */
export class DeadlineExceeded extends Error {
  constructor(what: string, ms: number) {
    super(`${what} not answered within ${ms} ms`)
    this.name = 'DeadlineExceeded'
  }
}

/**
 * Settles with `work`, or rejects with DeadlineExceeded after `ms`. The work itself is not cancelled
 * (a query on the wire cannot be recalled): callers treat a timeout as "outcome unknown".
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(what, ms)), ms)
  })
  work.catch(() => {})
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer))
}
