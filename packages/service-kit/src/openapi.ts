import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { Problem } from '@flash/contracts'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface OpenApiOptions {
  title: string
  version: string
  description?: string
}

/** `POST /api/products/:id/restock` → `postProductsByIdRestock`: stable, unique per method and path. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .replace(/^\/api\//, '/')
    .split(/[/._-]+/)
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `by_${part.slice(1)}` : part))
    .flatMap((part) => part.split('_'))
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
  return `${method.toLowerCase()}${words.join('')}`
}

/**
 * Every documented operation says who may call it: routes that declare no `security` are public
 * (`security: []`, not "unspecified"), and each gets an operationId unless it names its own.
 */
function transform({
  schema,
  url,
  route,
}: {
  schema: Record<string, unknown>
  url: string
  route: { method: string | string[] }
}) {
  if (!schema || schema.hide) return { schema, url }
  const method = Array.isArray(route.method) ? route.method[0]! : route.method
  return {
    schema: {
      ...schema,
      operationId: schema.operationId ?? operationIdOf(method, url),
      security: schema.security ?? [],
    },
    url,
  }
}

/** OpenAPI 3 generated from the routes' TypeBox schemas, JSON at `/docs/json`, Swagger UI at `/docs`. */
export const openApiPlugin = fp<OpenApiOptions>(
  async (app: FastifyInstance, { title, version, description }) => {
    app.addSchema(Problem)
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title,
          version,
          ...(description ? { description } : {}),
          license: { name: 'Proprietary', url: 'https://flash-sale.dev/license' },
        },
        servers: [{ url: '/', description: 'This service; in production through the gateway / ALB' }],
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
      transform: transform as never,
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    })
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      // Its own CSP for its pages (they run its scripts); framing stays denied as everywhere, and
      // its same-origin assets load over whatever scheme served the page (plain HTTP locally).
      staticCSP: true,
      transformStaticCSP: (header) =>
        header
          .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
          .replace(/\s*upgrade-insecure-requests;?/, ''),
    })
  },
  { name: 'flash-openapi' },
)
