import t from 'tap'
import { newUuid } from '../src/uuid.ts'

t.test('newUuid is an RFC 9562 version-7 UUID carrying the current time', async (t) => {
  const before = Date.now()
  const id = newUuid()
  const after = Date.now()
  t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  const ms = Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)
  t.ok(ms >= before && ms <= after)
  const many = new Set(Array.from({ length: 10_000 }, newUuid))
  t.equal(many.size, 10_000, 'unique')
})
