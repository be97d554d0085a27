import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ServiceName } from '@flash/routes'
import { tempDir } from './temp-dir.ts'
import type { Teardown } from '@flash/test-kit'

/**
 * A stand-in for a service's server.ts: listens on PORT/HOST like the real ones, answers /ready,
 * echoes its name and port, shows its environment at /env, and can be told to die at start.
 */
const FAKE_SERVER = `import { createServer } from 'node:http'
const name = process.argv[1].split('/').at(-3)
if (process.env.FAKE_CRASH_AT_START === '1') {
  console.error('crashing as told')
  process.exit(1)
}
const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json')
  if (req.url === '/ready') return res.end('{"status":"ready"}')
  const body = { service: name, port: process.env.PORT, url: req.url }
  if (req.url === '/env') body.env = process.env
  res.end(JSON.stringify(body))
})
server.listen(Number(process.env.PORT), process.env.HOST, () => console.log('listening on ' + process.env.PORT))
`

/** A directory laid out like the repo, with a stand-in server.ts for each of `services`. */
export async function fakeRepo(t: Teardown, services: readonly ServiceName[]): Promise<string> {
  const root = await tempDir(t, 'repo')
  await writeFile(join(root, 'package.json'), '{"type":"module"}\n')
  for (const service of services) {
    await mkdir(join(root, 'apps', service, 'src'), { recursive: true })
    await writeFile(join(root, 'apps', service, 'src', 'server.ts'), FAKE_SERVER)
  }
  return root
}
