import type { RouteRule } from '@flash/routes'
import type { Dispatcher } from 'undici'
import { mergeOpenApi, type OpenApiDocument } from './merge-openapi.ts'
import type { UpstreamPool } from './upstreams.ts'

export interface DocsSourceOptions {
  agent: Dispatcher
  pool: UpstreamPool
  routes: readonly RouteRule[]
  timeoutMs: number
}

export interface DocsSource {
  /** Fetches every service's `/docs/json` now and merges them. */
  refresh(): Promise<OpenApiDocument>
  /** The last merged document (empty until the first refresh). */
  latest(): OpenApiDocument
}

async function fetchDocument(agent: Dispatcher, origin: string, timeoutMs: number): Promise<OpenApiDocument> {
  const res = await agent.request({
    origin,
    path: '/docs/json',
    method: 'GET',
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  })
  if (res.statusCode !== 200) {
    await res.body.dump()
    throw new Error(`GET ${origin}/docs/json answered ${res.statusCode}`)
  }
  return (await res.body.json()) as OpenApiDocument
}

/**
 * Fetched on demand rather than at start: services come and go while the gateway runs, and the docs
 * page is opened rarely. A service that does not answer is listed as unavailable, not an error.
 */
export function createDocsSource({ agent, pool, routes, timeoutMs }: DocsSourceOptions): DocsSource {
  const services = [...new Set(routes.map((r) => r.service))]
  let current = mergeOpenApi([], { routes, unavailable: services })
  let inFlight: Promise<OpenApiDocument> | undefined

  async function load(): Promise<OpenApiDocument> {
    const results = await Promise.all(
      services.map(async (service) => {
        const origin = pool.first(service)
        if (!origin) return { service, document: undefined }
        try {
          return { service, document: await fetchDocument(agent, origin, timeoutMs) }
        } catch {
          return { service, document: undefined }
        }
      }),
    )
    const parts = results.flatMap((r) => (r.document ? [{ service: r.service, document: r.document }] : []))
    const unavailable = results.filter((r) => !r.document).map((r) => r.service)
    current = mergeOpenApi(parts, { routes, unavailable })
    return current
  }

  return {
    refresh() {
      // Concurrent page loads share one round of fetches.
      inFlight ??= load().finally(() => {
        inFlight = undefined
      })
      return inFlight
    },
    latest: () => current,
  }
}
