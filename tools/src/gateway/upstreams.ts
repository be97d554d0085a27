import type { ServiceName } from '@flash/routes'

export type GatewayTargets = Partial<Record<ServiceName, string | readonly string[]>>

export interface UpstreamPool {
  /** Next instance of `service` in round-robin order, skipping ones marked down while others remain. */
  pick(service: ServiceName): string | undefined
  /** Any one instance (for fetching the service's OpenAPI document). */
  first(service: ServiceName): string | undefined
  /** Skip `origin` for a while: it just refused a connection. */
  markDown(origin: string): void
}

/**
 * Round robin over each service's instances, as an ALB target group does. A connection refused takes
 * the instance out for `downForMs` (passive health check) so a crashed replica costs one failed
 * request, not every n-th request, until it is back.
 */
export function createUpstreamPool(targets: GatewayTargets, downForMs: number): UpstreamPool {
  const rings = new Map<ServiceName, { origins: string[]; next: number }>()
  for (const [service, value] of Object.entries(targets) as [ServiceName, string | readonly string[]][]) {
    const list = (typeof value === 'string' ? [value] : [...value]).map((u) => new URL(u).origin)
    if (list.length > 0) rings.set(service, { origins: list, next: 0 })
  }
  const downUntil = new Map<string, number>()

  return {
    pick(service) {
      const ring = rings.get(service)
      if (!ring) return undefined
      const now = Date.now()
      for (let i = 0; i < ring.origins.length; i++) {
        const origin = ring.origins[(ring.next + i) % ring.origins.length]!
        if ((downUntil.get(origin) ?? 0) <= now) {
          ring.next = (ring.next + i + 1) % ring.origins.length
          return origin
        }
      }
      // All marked down: try one anyway rather than refusing without asking.
      const origin = ring.origins[ring.next]!
      ring.next = (ring.next + 1) % ring.origins.length
      return origin
    },
    first: (service) => rings.get(service)?.origins[0],
    markDown(origin) {
      downUntil.set(origin, Date.now() + downForMs)
    },
  }
}
