// `npm run audit`: checks I1, I2 and (for idle products) I4 of docs/correctness.md for every product,
// through inventory-service's internal stock-state endpoint, and lists what the reconciler repaired.
// Exit 1 when any check fails.
// Env: INVENTORY_URL (default http://127.0.0.1:3002), SERVICE_TOKEN (default: the dev stack's, from
// tmp/dev-keys/).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { auditStock, describeRepairs } from './audit/index.ts'
import { REPO_ROOT } from './stack/index.ts'

const inventoryUrl = process.env.INVENTORY_URL ?? 'http://127.0.0.1:3002'
const serviceToken =
  process.env.SERVICE_TOKEN ?? (await readFile(join(REPO_ROOT, 'tmp/dev-keys/service-token'), 'utf8')).trim()

const repairs: string[] = []
const findings = await auditStock({
  inventoryUrl,
  serviceToken,
  onState: (state) => {
    const repaired = describeRepairs(state)
    if (repaired) repairs.push(repaired)
  },
})
for (const f of findings)
  console.log(`${f.ok ? 'PASS' : 'FAIL'} product ${f.product_id} ${f.invariant}: ${f.detail}`)
for (const line of repairs) console.log(`REPAIRED ${line}`)
const failed = findings.filter((f) => !f.ok).length
console.log(`${findings.length - failed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
