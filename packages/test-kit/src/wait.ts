/** Polls `check` until it is true, at most `attempts` × `intervalMs`; false if it never was. */
export async function eventually(
  check: () => Promise<boolean>,
  attempts = 300,
  intervalMs = 20,
): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  return false
}

/** Runs `task` for 0…count-1 with at most `width` in flight; results in order. */
export async function inParallel<T>(
  count: number,
  width: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < count; i = next++) results[i] = await task(i)
  }
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker))
  return results
}

/** The value of one Prometheus sample from an app's /metrics whose labels include `labels` (0 if absent). */
export async function metricValue(
  app: { inject: (options: { method: 'GET'; url: string }) => Promise<{ body: string }> },
  name: string,
  labels = '',
): Promise<number> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
  const line = text
    .split('\n')
    .find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labels))
  return line ? Number(line.split(' ').at(-1)) : 0
}
