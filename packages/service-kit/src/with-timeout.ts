/**
 * `promise`'s outcome, or a rejection with `message` after `ms`: for background calls to Redis that must
 * not wait on it (a stalled connection holds a command until ioredis gives up on it). The call itself
 * is not cancelled; a late outcome is ignored.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms)
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
