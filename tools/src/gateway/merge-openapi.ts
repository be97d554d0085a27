import { isDeepStrictEqual } from 'node:util'
import { matchRoute, type RouteRule, type ServiceName } from '@flash/routes'

export interface OpenApiDocument {
  openapi?: string
  info?: { title?: string; version?: string; description?: string; license?: { name: string; url?: string } }
  paths?: Record<string, unknown>
  components?: Record<string, Record<string, unknown>>
  tags?: { name: string; description?: string }[]
  [key: string]: unknown
}

export interface MergeOptions {
  routes: readonly RouteRule[]
  /** Services whose document could not be fetched: named in the description, not silently missing. */
  unavailable?: readonly ServiceName[]
}

/** Rewrites every `$ref` that `renames` maps (old ref → new ref), anywhere in `value`. */
function renameRefs(value: unknown, renames: Map<string, string>): unknown {
  if (renames.size === 0 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, renames))
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof v === 'string' ? (renames.get(v) ?? v) : renameRefs(v, renames)
  }
  return out
}

/** Every `$ref` target inside `value`. */
function refsIn(value: unknown, out: Set<string>): Set<string> {
  if (value === null || typeof value !== 'object') return out
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out)
    return out
  }
  for (const [key, v] of Object.entries(value)) {
    if (key === '$ref' && typeof v === 'string') out.add(v)
    else refsIn(v, out)
  }
  return out
}

/**
 * Only the components the kept paths use (directly or through other components): the schemas of
 * routes the gateway never serves (`/internal/*`) would otherwise be listed without any use.
 * Security schemes are named by `security` requirements, not `$ref`s: they are always kept.
 */
function usedComponents(
  paths: Record<string, unknown>,
  components: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const used = refsIn(paths, new Set())
  const queue = [...used]
  while (queue.length) {
    const [, , section, name] = queue.pop()!.split('/')
    for (const ref of refsIn(components[section!]?.[name!], new Set())) {
      if (!used.has(ref)) {
        used.add(ref)
        queue.push(ref)
      }
    }
  }
  const out: Record<string, Record<string, unknown>> = {}
  for (const [section, entries] of Object.entries(components)) {
    const kept = Object.entries(entries).filter(
      ([name]) => section === 'securitySchemes' || used.has(`#/components/${section}/${name}`),
    )
    if (kept.length) out[section] = Object.fromEntries(kept)
  }
  return out
}

/** Paths are kept only when the gateway would route them to the service that documents them. */
function routedHere(path: string, service: ServiceName, routes: readonly RouteRule[]): boolean {
  const concrete = path.replace(/\{[^}]+\}/g, 'x')
  return !concrete.startsWith('/internal') && matchRoute(concrete, routes) === service
}

/**
 * One OpenAPI document from each service's own: the paths the gateway routes, the union of their
 * components (identical ones shared — they come from the same contracts — clashing ones renamed
 * `<service>.<name>` with their refs rewritten), and the union of tags.
 */
export function mergeOpenApi(
  parts: readonly { service: ServiceName; document: OpenApiDocument }[],
  { routes, unavailable = [] }: MergeOptions,
): OpenApiDocument {
  const paths: Record<string, unknown> = {}
  const components: Record<string, Record<string, unknown>> = {}
  const tags = new Map<string, { name: string; description?: string }>()

  for (const { service, document } of parts) {
    const renames = new Map<string, string>()
    for (const [section, entries] of Object.entries(document.components ?? {})) {
      for (const [name, value] of Object.entries(entries ?? {})) {
        const existing = components[section]?.[name]
        if (existing !== undefined && !isDeepStrictEqual(existing, value)) {
          renames.set(`#/components/${section}/${name}`, `#/components/${section}/${service}.${name}`)
        }
      }
    }
    const own = renameRefs(document, renames) as OpenApiDocument
    for (const [section, entries] of Object.entries(own.components ?? {})) {
      components[section] ??= {}
      for (const [name, value] of Object.entries(entries ?? {})) {
        const target = renames.get(`#/components/${section}/${name}`)?.split('/').pop() ?? name
        components[section][target] ??= value
      }
    }
    for (const [path, item] of Object.entries(own.paths ?? {})) {
      if (routedHere(path, service, routes) && paths[path] === undefined) paths[path] = item
    }
    for (const tag of own.tags ?? []) if (!tags.has(tag.name)) tags.set(tag.name, tag)
  }

  const from = parts.map((p) => p.service).join(', ') || 'no service'
  const missing = unavailable.length ? ` Unavailable right now: ${unavailable.join(', ')}.` : ''
  return {
    openapi: parts[0]?.document.openapi ?? '3.0.3',
    info: {
      title: 'Flash-sale API',
      version: '1.0.0',
      description: `Every public route, as the gateway serves it. Merged from: ${from}.${missing}`,
      ...(parts[0]?.document.info?.license ? { license: parts[0].document.info.license } : {}),
    },
    servers: [{ url: '/' }],
    paths,
    components: usedComponents(paths, components),
    ...(tags.size ? { tags: [...tags.values()] } : {}),
  }
}
