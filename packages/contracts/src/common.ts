import { type Static, Type } from 'typebox'

/** RFC 9457 problem details. `code` is stable and machine-readable; `title`/`detail` are for people. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the problem type' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    code: Type.String({ description: 'Stable error code, e.g. out_of_stock' }),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        description: 'Each invalid field, for validation problems',
      }),
    ),
  },
  { $id: 'Problem' },
)
export type Problem = Static<typeof Problem>

// Characters a displayed name may not contain: C0/C1 controls and DEL (NUL among them), line and
// paragraph separators, and the bidirectional overrides, embeddings, isolates and marks that make
// "Bob\u202Egpj.exe" display as "Bobexe.jpg".
const FORBIDDEN =
  '\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069'
// Characters that show nothing: blanks, zero-width and other invisible ones. A name needs one other.
const INVISIBLE = '\\s\\u00AD\\u034F\\u115F\\u1160\\u180E\\u200B-\\u200D\\u2060-\\u2064\\u3164\\uFEFF\\uFFA0'

/** A name people see (an account's, a product's): visible, no control or bidi-override characters. */
export const DisplayName = (maxLength: number) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: `^(?=[\\s\\S]*[^${INVISIBLE}${FORBIDDEN}])[^${FORBIDDEN}]+$`,
    description: 'Visible text: no control, bidi-override or only-invisible characters',
  })

export const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
export const Uuid = Type.String({ format: 'uuid' })
export const Timestamp = Type.String({ format: 'date-time' })

/** Opaque cursor: callers pass back what they were given, never build one. */
export const CursorQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
})
export type CursorQuery = Static<typeof CursorQuery>

export const page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ data: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) })

export const BearerHeaders = Type.Object({
  authorization: Type.String({ pattern: '^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' }),
})

export const Health = Type.Object({ status: Type.Literal('ok') })
export const Ready = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  checks: Type.Record(Type.String(), Type.Union([Type.Literal('up'), Type.Literal('down')])),
})
export type Ready = Static<typeof Ready>
