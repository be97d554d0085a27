import { join } from 'node:path'
import t from 'tap'
import { configTableProblems, readConfigTable } from '../src/index.ts'

// The shape Type.Object gives: defaults on the properties, required names listed.
const schema = {
  properties: { PORT: { default: 3001 }, PREFIX: { default: '' }, TOKEN: {}, EMAIL: {} },
  required: ['PORT', 'PREFIX', 'TOKEN'],
}

const readme = (rows: string) =>
  `# svc\n\n## Configuration\n\nText.\n\n| variable | default | meaning |\n| --- | --- | --- |\n${rows}\n## Tests\n`

t.test('a table that matches the schema has no problems', async (t) => {
  const dir = t.testdir({
    'README.md': readme(
      '| `PORT` | `3001` | port |\n| `PREFIX` | `""` | key prefix |\n| `TOKEN` | required | secret |\n| `EMAIL` | — | admin |\n',
    ),
  })
  const rows = await readConfigTable(join(dir, 'README.md'))
  t.same(
    rows.map((r) => r.variable),
    ['PORT', 'PREFIX', 'TOKEN', 'EMAIL'],
  )
  t.same(configTableProblems(schema, rows), [])
})

t.test('a missing, an extra, a wrong default and an empty meaning are each named', async (t) => {
  const dir = t.testdir({
    'README.md': readme(
      '| `PORT` | `3000` | port |\n| `PREFIX` | `""` | |\n| `TOKEN` | required | x |\n| `OLD` | `1` | gone |\n',
    ),
  })
  const problems = configTableProblems(schema, await readConfigTable(join(dir, 'README.md')))
  t.same(problems, [
    'PORT: default is 3001, README says 3000',
    'PREFIX: no meaning given',
    'EMAIL is not documented',
    'OLD is documented but not in the schema',
  ])
})

t.test('a README without the table is refused', async (t) => {
  const dir = t.testdir({ 'README.md': '# svc\n\n## Configuration\n\nNone.\n' })
  await t.rejects(readConfigTable(join(dir, 'README.md')), /no table/)
})
