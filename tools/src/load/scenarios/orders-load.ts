// The order load of flash-sale, sold-out and accepted (so of every order run of `npm run bench`): POST
// /api/orders for one product, every connection rotating over its own window of the buyers' tokens
// (built once per connection, not per request).
import type { Buyer } from '../engine/buyers.ts'
import type { CannonSpec, EngineRequest } from '../engine/cannon.ts'
import type { Stage } from '../engine/stages.ts'
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

/** A 202's order and the token of the buyer who placed it (flash-sale --pay follows it to pay). */
export type OnAccepted = (orderUuid: string, token: string) => void

export function orderRequests(
  tokens: readonly string[],
  k: number,
  connections: number,
  onAccepted?: OnAccepted,
): EngineRequest[] {
  return tokenWindow(tokens, k, connections).map((token) => ({
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    ...(onAccepted
      ? {
          onResponse: (status: number, body: string | undefined) => {
            if (status !== 202 || !body) return
            const uuid = (JSON.parse(body) as { order_uuid?: unknown }).order_uuid
            if (typeof uuid === 'string') onAccepted(uuid, token)
          },
        }
      : {}),
  }))
}

export interface OrderLoad {
  /** API bases (several: the connections are spread over the instances). */
  bases: readonly string[]
  productId: number
  tokens: readonly string[]
  connections: number
  rate?: number | undefined
  stages?: readonly Stage[] | undefined
  durationS: number
  timeoutS: number
  signal?: AbortSignal | undefined
  /** Every accepted order, read from its 202 (only when given: reading the bodies costs). */
  onAccepted?: OnAccepted | undefined
}

/** The runner's spec for one product's order load, against any API base. */
export function orderLoad(o: OrderLoad): CannonSpec {
  if (o.tokens.length === 0) throw new Error('the order load needs at least one buyer token')
  return {
    url: o.bases.map((b) => `${b}/api/orders`),
    method: 'POST',
    body: JSON.stringify({ product_id: o.productId, quantity: 1 }),
    connections: o.connections,
    rate: o.rate,
    stages: o.stages,
    durationS: o.durationS,
    timeoutS: o.timeoutS,
    requestsFor: (k) => orderRequests(o.tokens, k, o.connections, o.onAccepted),
    signal: o.signal,
  }
}

/**
 * `npm run load`'s order load: --orders-url (default --url), --connections, --rate/--stages,
 * --duration, --timeout, measured by the harness that runs the scenario if any.
 */
export function cliOrderLoad(
  ctx: ScenarioContext,
  buyers: readonly Buyer[],
  productId: number,
  onAccepted?: OnAccepted,
): CannonSpec {
  const { options } = ctx
  const load = orderLoad({
    bases: options.ordersUrls,
    productId,
    tokens: buyers.map((b) => b.accessToken),
    connections: options.connections,
    rate: options.rate,
    stages: options.stages,
    durationS: options.durationS,
    timeoutS: options.timeoutS,
    signal: ctx.signal,
    onAccepted,
  })
  return { ...load, measure: ctx.measure }
}

export const twoXx = (statuses: Record<string, number>) =>
  Object.entries(statuses).reduce((n, [s, c]) => (s.startsWith('2') ? n + c : n), 0)
