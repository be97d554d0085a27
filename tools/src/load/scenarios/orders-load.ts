// The order load of flash-sale and sold-out (and of every order scenario of `npm run bench`): POST
// /api/orders for one product, every connection rotating over its own window of the buyers' tokens
// (built once per connection, not per request).
import type { Buyer } from '../engine/buyers.ts'
import { type CannonRun, type EngineRequest, runCannon } from '../engine/cannon.ts'
import type { Recorder } from '../engine/recorder.ts'
import type { ScenarioContext } from './types.ts'

/** Tokens each connection rotates over: its requests are prebuilt, so this bounds the set-up cost. */
export const TOKENS_PER_CONNECTION = 20

/**
 * The tokens of connection `k` of `connections`: a window of the buyers' tokens, windows spread
 * evenly so every buyer is in use.
 */
export function tokenWindow(tokens: readonly string[], k: number, connections: number): string[] {
  const size = Math.min(TOKENS_PER_CONNECTION, tokens.length)
  const offset = Math.floor((k * tokens.length) / Math.max(1, connections)) % tokens.length
  return Array.from({ length: size }, (_, i) => tokens[(offset + i) % tokens.length]!)
}

export function orderRequests(tokens: readonly string[], k: number, connections: number): EngineRequest[] {
  return tokenWindow(tokens, k, connections).map((token) => ({
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  }))
}

export async function hammerProduct(
  ctx: ScenarioContext,
  buyers: readonly Buyer[],
  productId: number,
  opts: { onStart?: (r: Recorder) => void; onResponse?: (status: number, atMs: number) => void } = {},
): Promise<CannonRun> {
  const { options } = ctx
  const tokens = buyers.map((b) => b.accessToken)
  return runCannon({
    url: `${options.url}/api/orders`,
    method: 'POST',
    body: JSON.stringify({ product_id: productId, quantity: 1 }),
    connections: options.connections,
    rate: options.rate,
    stages: options.stages,
    durationS: options.durationS,
    timeoutS: options.timeoutS,
    requestsFor: (k) => orderRequests(tokens, k, options.connections),
    signal: ctx.signal,
    ...opts,
  })
}

export const twoXx = (statuses: Record<string, number>) =>
  Object.entries(statuses).reduce((n, [s, c]) => (s.startsWith('2') ? n + c : n), 0)
