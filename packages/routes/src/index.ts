export type { ServiceName, RouteRule } from './route-table.ts'
export { SERVICES, ROUTE_TABLE, SERVICE_PORTS, matchRoute } from './route-table.ts'
