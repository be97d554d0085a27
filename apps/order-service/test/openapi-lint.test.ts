import { lintOpenApi } from '@flash/test-kit'
import t from 'tap'
import { createWorld, startApp } from './helpers.ts'

// Issue 15 item 11: the OpenAPI document passes `redocly lint` with no error and no warning.
const world = await createWorld(t, 'orders-openapi-lint')
const app = await startApp(t, world.config())

t.test('redocly lint: 0 errors, 0 warnings', async (t) => {
  const result = await lintOpenApi((await app.inject('/docs/json')).json())
  t.equal(result.errors, 0, result.output)
  t.equal(result.warnings, 0, result.output)
  t.equal(result.code, 0)
})
