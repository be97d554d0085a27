import { matchRoute, type RouteRule, type ServiceName } from '@flash/routes'

export type RouteDecision =
  | { kind: 'not_found'; path: string }
  | { kind: 'route'; path: string; service: ServiceName }

/**
 * Dot segments or encoded slashes could make the upstream's router (or the URL parser on the way
 * there) see a different path than the one matched here (e.g. `/api/orders/../../internal/x`), so
 * they are refused before routing.
 */
function isPlainPath(path: string): boolean {
  if (/%2f|%5c|\\/i.test(path)) return false
  try {
    return !path.split('/').some((segment) => {
      const s = decodeURIComponent(segment)
      return s === '.' || s === '..'
    })
  } catch {
    return false
  }
}

/** Which service a request URL goes to by the route table; `/internal/*` never goes anywhere. */
export function routeRequest(url: string, routes: readonly RouteRule[]): RouteDecision {
  const path = url.split('?', 1)[0] ?? url
  // `/internal/*` is absent from the route table; checked here too so it stays unreachable even if
  // a rule for it were ever added by mistake.
  if (!isPlainPath(path) || path === '/internal' || path.startsWith('/internal/')) {
    return { kind: 'not_found', path }
  }
  const service = matchRoute(path, routes)
  return service ? { kind: 'route', path, service } : { kind: 'not_found', path }
}
