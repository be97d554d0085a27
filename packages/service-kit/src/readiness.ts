import type { FastifyInstance } from 'fastify'

/** Resolves when the dependency answers; rejects (or times out) when it does not. */
export type ReadinessCheck = () => Promise<unknown>

declare module 'fastify' {
  interface FastifyInstance {
    readiness: Readiness
  }
}

/**
 * What `/ready` asks, by name. Every plugin that opens an outside client (MySQL, Redis, SQS, a peer
 * service) adds the check of that client itself, so no app's wiring repeats them and a client cannot
 * be added without its check.
 */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>()

  add(name: string, check: ReadinessCheck): void {
    // Two clients answering under one name would hide one of them from /ready.
    if (this.#checks.has(name)) throw new Error(`readiness check '${name}' is registered twice`)
    this.#checks.set(name, check)
  }

  entries(): [string, ReadinessCheck][] {
    return [...this.#checks]
  }
}

/**
 * The instance's registry, decorated on first use: the kit's client plugins also work on a bare
 * Fastify instance (kit tests), not only on one from createServiceApp. Called from fastify-plugin
 * plugins, so the decoration lands on the root instance that healthPlugin reads.
 */
export function readinessOf(app: FastifyInstance): Readiness {
  if (!app.hasDecorator('readiness')) app.decorate('readiness', new Readiness())
  return app.readiness
}
