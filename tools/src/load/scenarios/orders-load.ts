// The shared load of flash-sale and sold-out: POST /api/orders for one product, every connection
// rotating over its own window of the buyers' tokens (built once per connection, not per request).
import type autocannon from 'autocannon'
import { tokenWindow } from '../../bench/load.ts'
import type { Buyer } from '../buyers.ts'
import { type CannonRun, runCannon } from '../cannon.ts'
import type { Recorder } from '../recorder.ts'
import type { ScenarioContext } from './types.ts'

export function orderRequests(
  tokens: readonly string[],
  k: number,
  connections: number,
): autocannon.Request[] {
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
    durationS: options.durationS,
    timeoutS: options.timeoutS,
    requestsFor: (k) => orderRequests(tokens, k, options.connections),
    signal: ctx.signal,
    ...opts,
  })
}

export const twoXx = (statuses: Record<string, number>) =>
  Object.entries(statuses).reduce((n, [s, c]) => (s.startsWith('2') ? n + c : n), 0)
