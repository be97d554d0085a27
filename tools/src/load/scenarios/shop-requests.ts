// steady-shop's request mix: each connection cycles through a shuffled sequence of 20 requests drawn
// in the --mix proportions; products and tokens are picked per request, the status poll follows the
// connection's last accepted order. Each request carries its kind as its endpoint, so the report
// gives every kind its own rate, statuses and latency.
import type autocannon from 'autocannon'
import type { MixKind } from '../args.ts'
import type { EngineRequest } from '../engine/cannon.ts'

/** Kinds in the mix's proportions (largest remainder), `length` of them, shuffled by `seed`. */
export function mixSequence(mix: Record<MixKind, number>, length: number, seed: number): MixKind[] {
  const sum = Object.values(mix).reduce((a, b) => a + b, 0)
  const entries = Object.entries(mix) as [MixKind, number][]
  const exact = entries.map(([k, w]) => [k, (w * length) / sum] as const)
  const counts = new Map(exact.map(([k, x]) => [k, Math.floor(x)]))
  const byRemainder = [...exact].sort((a, b) => (b[1] % 1) - (a[1] % 1))
  let left = length - [...counts.values()].reduce((a, b) => a + b, 0)
  for (const [k] of byRemainder) if (left-- > 0) counts.set(k, counts.get(k)! + 1)
  const out = [...counts].flatMap(([k, n]) => Array.from({ length: n }, () => k))
  // A small deterministic shuffle: every connection in its own order, reproducible run to run.
  let x = seed * 2654435761 + 1
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) >>> 0
    const j = x % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

interface Context {
  order?: string
  orderToken?: string
}

export function shopRequests(
  kinds: readonly MixKind[],
  tokens: readonly string[],
  productIds: readonly number[],
): EngineRequest[] {
  let t = 0
  const token = () => tokens[t++ % tokens.length]!
  const product = () => productIds[Math.floor(Math.random() * productIds.length)]!
  const auth = (tok: string) => ({ authorization: `Bearer ${tok}` })
  return kinds.map((kind): EngineRequest => ({ ...request(kind), endpoint: kind }))

  function request(kind: MixKind): autocannon.Request {
    switch (kind) {
      case 'browse':
        return { method: 'GET', path: '/api/products?limit=20', headers: {} }
      case 'product':
        return {
          method: 'GET',
          setupRequest: (req) => ({ ...req, path: `/api/products/${product()}`, headers: {} }),
        }
      case 'me':
        return { method: 'GET', setupRequest: (req) => ({ ...req, path: '/api/me', headers: auth(token()) }) }
      case 'order':
        return {
          method: 'POST',
          setupRequest: (req, context: Context) => {
            context.orderToken = token()
            return {
              ...req,
              path: '/api/orders',
              headers: { 'content-type': 'application/json', ...auth(context.orderToken) },
              body: JSON.stringify({ product_id: product(), quantity: 1 }),
            }
          },
          onResponse: (status, body, context: Context) => {
            if (status === 202) context.order = (JSON.parse(body) as { order_uuid: string }).order_uuid
          },
        }
      default:
        // status
        return {
          method: 'GET',
          setupRequest: (req, context: Context) =>
            context.order && context.orderToken
              ? { ...req, path: `/api/orders/${context.order}`, headers: auth(context.orderToken) }
              : { ...req, path: '/api/orders?limit=10', headers: auth(token()) },
        }
    }
  }
}
