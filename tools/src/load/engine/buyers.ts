// Buyers for a run, through the public API only: registered (or, from --buyers-file, logged in) a few
// at a time, politely — a 429/503 waits its Retry-After — with a progress bar.
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { ApiClient, ApiResult } from '@flash/api-client'
import type { TokenPair } from '@flash/contracts'
import { politely } from './polite.ts'
import type { Progress } from './progress.ts'

export interface Credentials {
  email: string
  password: string
}

export interface Buyer extends Credentials {
  accessToken: string
  refreshToken: string
}

export interface BuyersFile {
  /** The API the buyers were registered with (a file is only reused against the same one). */
  url: string
  buyers: Credentials[]
}

/** Buyers in the run: at most this many calls at once (password hashing is the auth budget). */
const WIDTH = 8
/** How long the whole registration may wait on Retry-After before the run gives up. */
const REGISTRATION_BUDGET_MS = 15 * 60_000

export const newCredentials = (n: number, run = randomBytes(4).toString('hex')): Credentials[] =>
  Array.from({ length: n }, (_, i) => ({
    email: `load-${run}-${i}@load.example.com`,
    password: `load-${randomBytes(9).toString('base64url')}`,
  }))

export async function readBuyersFile(path: string, url: string): Promise<Credentials[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return []
  }
  const file = JSON.parse(text) as BuyersFile
  if (file.url !== url) throw new Error(`--buyers-file ${path} holds buyers of ${file.url}, not ${url}`)
  return file.buyers
}

export interface BuyerStats {
  registered: number
  loggedIn: number
  shed: number
  seconds: number
}

export async function obtainBuyers(opts: {
  client: ApiClient
  url: string
  count: number
  file: string | undefined
  progress: Progress
  signal?: AbortSignal
  /** Calls at once (default 8: password hashing is the auth budget). */
  width?: number
}): Promise<{ buyers: Buyer[]; stats: BuyerStats }> {
  const started = performance.now()
  const known = opts.file ? (await readBuyersFile(opts.file, opts.url)).slice(0, opts.count) : []
  const fresh = newCredentials(opts.count - known.length)
  const all = [...known, ...fresh]
  const stats: BuyerStats = { registered: 0, loggedIn: 0, shed: 0, seconds: 0 }
  const deadlineMs = Date.now() + REGISTRATION_BUDGET_MS
  const bar = opts.progress.bar(
    known.length ? 'buyers (log in / register)' : 'registering buyers',
    all.length,
  )
  const buyers: Buyer[] = new Array(all.length)
  let next = 0
  let done = 0
  const one = async (i: number) => {
    const c = all[i]!
    const isNew = i >= known.length
    const call = (): Promise<ApiResult<TokenPair>> =>
      isNew
        ? opts.client.register({ name: `Load buyer ${i}`, email: c.email, password: c.password })
        : opts.client.login(c)
    const result = await politely(call, {
      deadlineMs,
      signal: opts.signal,
      onShed: (_s, waitMs) => {
        stats.shed++
        bar.update(done, `(shed: waiting ${(waitMs / 1000).toFixed(1)} s as asked)`)
      },
    })
    if (!result.ok)
      throw new Error(
        `${isNew ? 'register' : 'login'} of ${c.email} answered ${result.status}: ${result.problem?.title}`,
      )
    buyers[i] = { ...c, accessToken: result.data.access_token, refreshToken: result.data.refresh_token }
    if (isNew) stats.registered++
    else stats.loggedIn++
    bar.update(++done)
  }
  try {
    await Promise.all(
      Array.from({ length: Math.min(opts.width ?? WIDTH, all.length) }, async () => {
        while (next < all.length) await one(next++)
      }),
    )
  } finally {
    bar.stop()
    // Save whoever got registered, even on failure: the next run reuses them.
    if (opts.file) {
      const saved = all.filter((_, i) => i < known.length || buyers[i])
      const file: BuyersFile = {
        url: opts.url,
        buyers: saved.map(({ email, password }) => ({ email, password })),
      }
      await mkdir(dirname(opts.file), { recursive: true })
      await writeFile(opts.file, `${JSON.stringify(file, null, 2)}\n`)
    }
  }
  stats.seconds = (performance.now() - started) / 1000
  return { buyers, stats }
}
