// What an audit reports: checks judged through the public API, and the internal stock audit.
import type { AuditFinding } from '../../audit/index.ts'

export interface Check {
  id: string
  label: string
  pass: boolean
  detail: string
}

export interface InternalAudit {
  /** False when inventory-service's internal endpoint could not be asked (another deployment). */
  reachable: boolean
  detail: string
  findings: AuditFinding[]
}

export interface Audit {
  pass: boolean
  checks: Check[]
  internal?: InternalAudit | undefined
}

export function audit(checks: Check[], internal?: InternalAudit): Audit {
  const internalOk = !internal?.reachable || internal.findings.every((f) => f.ok)
  return { pass: checks.every((c) => c.pass) && internalOk, checks, internal }
}
