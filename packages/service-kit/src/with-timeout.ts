/** A dependency did not answer in time; what it was asked may still happen. */
export class TimedOut extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TimedOut'
  }
}

/**
 * `promise`'s outcome, or a TimedOut rejection with `message` after `ms`: the one deadline for calls
 * that must not wait on a stalled dependency (a stalled connection holds a query or command until its
 * client gives up on it). The call itself is not cancelled — a query on the wire cannot be recalled —
 * so callers treat a timeout as "outcome unknown"; a late outcome is ignored.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimedOut(message)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
