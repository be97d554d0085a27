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

/** OpenAPI 3 generated from the routes' TypeBox schemas, JSON at `/docs/json`, Swagger UI at `/docs`. */
export const openApiPlugin = fp<OpenApiOptions>(
  async (app: FastifyInstance, { title, version, description }) => {
    app.addSchema(Problem)
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title, version, ...(description ? { description } : {}) },
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
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
