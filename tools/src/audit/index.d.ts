export { type AuditOptions, auditStock } from './audit.ts'
export { type AuditFinding, judgeStock } from './judge.ts'
