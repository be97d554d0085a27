export { type AuditOptions, auditStock } from './audit.ts'
export { type AuditFinding, describeRepairs, judgeStock } from './judge.ts'
