import { fileURLToPath } from 'node:url'
import { configTableProblems, readConfigTable } from '@flash/test-kit'
import t from 'tap'
import { FinalizerEnv } from '../src/config.ts'

t.test('the README documents every variable of the schema, with its default, and nothing else', async (t) => {
  const rows = await readConfigTable(fileURLToPath(new URL('../README.md', import.meta.url)))
  t.same(configTableProblems(FinalizerEnv, rows), [])
})
