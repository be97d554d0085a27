export interface WaitOptions {
  timeoutMs: number
  intervalMs?: number
  /** Checked before each attempt: a reason to stop waiting (the process died, the user gave up). */
  gaveUp?: () => string | undefined
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `url` until it answers 2xx; rejects after `timeoutMs`, or as soon as `gaveUp` names a reason. */
export async function waitForReady(url: string, { timeoutMs, intervalMs = 200, gaveUp }: WaitOptions) {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer yet'
  const attempts = Math.ceil(timeoutMs / intervalMs) + 1
  for (let i = 0; i < attempts; i++) {
    const reason = gaveUp?.()
    if (reason) throw new Error(`${url}: ${reason}`)
    const remaining = deadline - Date.now()
    if (remaining <= 0) break
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(Math.min(2_000, remaining)) })
      await res.body?.cancel()
      if (res.ok) return
      last = `answered ${res.status}`
    } catch (error) {
      last = (error as Error).message
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())))
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`)
}
