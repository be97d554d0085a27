export { BODY_LIMIT, buildGateway, type GatewayOptions } from './build-gateway.ts'
export { GatewayEnv, targetsFromConfig, targetsVariable } from './config.ts'
export { mergeOpenApi, type OpenApiDocument } from './merge-openapi.ts'
export type { GatewayTargets } from './upstreams.ts'
