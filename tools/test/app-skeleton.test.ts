// Every app is laid out the same way, so a team finds its whole service in its own folder
// (docs/architecture.md, "Layout"). Reads files only.
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { SERVICES } from '@flash/routes'
import t from 'tap'
import { REPO_ROOT } from '../src/index.ts'

/** The finalizer answers no API of its own (the kit serves its /health, /ready, /metrics). */
const WITHOUT_API = new Set(['order-finalizer'])

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name))
}

for (const service of SERVICES) {
  const root = join(REPO_ROOT, 'apps', service)
  t.test(`${service}: the common skeleton`, async (t) => {
    const files = ['src/app.ts', 'src/server.ts', 'src/config.ts', 'src/index.ts', 'README.md']
    const dirs = ['src/plugins', 'src/repositories']
    if (!WITHOUT_API.has(service)) {
      files.push('src/errors.ts')
      dirs.push('src/routes')
    }
    for (const file of files) t.ok((await stat(join(root, file))).isFile(), file)
    for (const dir of dirs) t.ok((await stat(join(root, dir))).isDirectory(), dir)
  })

  t.test(
    `${service}: problems are built in src/errors.ts only; readiness checks live in the plugins`,
    async (t) => {
      for (const file of await sources(join(root, 'src'))) {
        const path = relative(root, file)
        const text = await readFile(file, 'utf8')
        if (path !== 'src/errors.ts') t.notMatch(text, /new ProblemError\(|sendProblem\(/, path)
      }
      t.notMatch(await readFile(join(root, 'src/app.ts'), 'utf8'), /select 1|\.ping\(\)/, 'src/app.ts')
    },
  )
}
