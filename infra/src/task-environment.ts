import type { Secret } from 'aws-cdk-lib/aws-ecs'

/** A value the deployment can give a variable: plain text, or an ECS secret resolved at task start. */
/** The shape of a TypeBox object schema that matters here (no dependency on typebox itself). */
export interface EnvSchema {
  readonly properties: Readonly<Record<string, object>>
  readonly required?: readonly string[]
}

export type EnvValue = { readonly value: string } | { readonly secret: Secret }

export interface TaskEnvironment {
  readonly environment: Record<string, string>
  readonly secrets: Record<string, Secret>
}

/**
 * A task's environment, chosen by the schema the service validates at boot: every variable the
 * schema declares and the deployment knows is set; a variable the schema requires without a default
 * and the deployment does not know fails the synth (so a renamed or new variable cannot be forgotten
 * here); variables the schema does not declare are never passed (the signing key reaches only the
 * service whose schema asks for it).
 */
export function taskEnvironment(
  service: string,
  schema: EnvSchema,
  known: Readonly<Record<string, EnvValue>>,
): TaskEnvironment {
  const required = new Set<string>(schema.required ?? [])
  const environment: Record<string, string> = {}
  const secrets: Record<string, Secret> = {}
  const missing: string[] = []
  for (const [name, property] of Object.entries(schema.properties)) {
    const given = known[name]
    if (given && 'secret' in given) secrets[name] = given.secret
    else if (given) environment[name] = given.value
    else if (required.has(name) && !('default' in property)) missing.push(name)
  }
  if (missing.length)
    throw new Error(`${service}: the deployment has no value for required variable(s) ${missing.join(', ')}`)
  return { environment, secrets }
}

/**
 * Every variable the deployment offers must be read by at least one service's schema: an entry no
 * schema declares is a variable that was renamed or removed in the code and left behind here.
 */
export function assertAllUsed(known: Iterable<string>, schemas: readonly EnvSchema[]): void {
  const declared = new Set(schemas.flatMap((s) => Object.keys(s.properties)))
  const stale = [...known].filter((name) => !declared.has(name))
  if (stale.length) throw new Error(`no service schema declares ${stale.join(', ')}`)
}
