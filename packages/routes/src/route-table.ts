/**
 * The one place that says which public path goes to which service.
 * The dev gateway routes by it and the ALB listener rules are generated from it,
 * so local and production routing can never drift apart.
 * Internal paths (`/internal/*`) are deliberately absent: nothing outside the VPC reaches them.
 */
export const SERVICES = ['auth-service', 'inventory-service', 'order-service', 'order-finalizer'] as const
export type ServiceName = (typeof SERVICES)[number]

/** Default local ports; production runs every service on its own task and port 3000+. */
export const SERVICE_PORTS: Record<ServiceName, number> = {
  'auth-service': 3001,
  'inventory-service': 3002,
  'order-service': 3003,
  'order-finalizer': 3004,
}

export interface RouteRule {
  /** Path prefix as ALB path patterns understand it: exact path, or a prefix ending in `/*`. */
  readonly pattern: string
  readonly service: ServiceName
}

export const ROUTE_TABLE: readonly RouteRule[] = [
  { pattern: '/api/register', service: 'auth-service' },
  { pattern: '/api/login', service: 'auth-service' },
  { pattern: '/api/logout', service: 'auth-service' },
  { pattern: '/api/refresh', service: 'auth-service' },
  { pattern: '/api/me', service: 'auth-service' },
  { pattern: '/.well-known/*', service: 'auth-service' },
  { pattern: '/api/products', service: 'inventory-service' },
  { pattern: '/api/products/*', service: 'inventory-service' },
  { pattern: '/api/orders', service: 'order-service' },
  { pattern: '/api/orders/*', service: 'order-service' },
  // The payment provider's webhook and the admin's payment list live with the orders they change.
  { pattern: '/api/payments/*', service: 'order-service' },
  { pattern: '/api/admin/payments', service: 'order-service' },
  { pattern: '/api/admin/payments/*', service: 'order-service' },
]

/** Which service serves `path` (query string ignored), or undefined when no rule matches. */
export function matchRoute(path: string, table: readonly RouteRule[] = ROUTE_TABLE): ServiceName | undefined {
  const q = path.indexOf('?')
  const clean = q === -1 ? path : path.slice(0, q)
  for (const rule of table) {
    if (rule.pattern.endsWith('/*')) {
      if (clean.startsWith(rule.pattern.slice(0, -1))) return rule.service
    } else if (clean === rule.pattern) {
      return rule.service
    }
  }
  return undefined
}
