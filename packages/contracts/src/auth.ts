import { type Static, Type } from 'typebox'
import { DisplayName, Id } from './common.ts'

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('customer')])
export type Role = Static<typeof Role>

/** The public API's field limits (docs/architecture.md): enforced here, so every entry point agrees. */
export const Name = DisplayName(100)
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 })
export const Password = Type.String({ minLength: 8, maxLength: 128 })

export const RegisterBody = Type.Object(
  { name: Name, email: Email, password: Password },
  { additionalProperties: false },
)
export type RegisterBody = Static<typeof RegisterBody>

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
)
export type LoginBody = Static<typeof LoginBody>

export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 20, maxLength: 200 }) },
  { additionalProperties: false },
)
export type RefreshBody = Static<typeof RefreshBody>

export const UserView = Type.Object({ id: Id, name: Type.String(), email: Type.String(), role: Role })
export type UserView = Static<typeof UserView>

export const TokenPair = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  /** Seconds until the access token expires. */
  expires_in: Type.Integer({ minimum: 1 }),
})
export type TokenPair = Static<typeof TokenPair>

export const RegisterResponse = Type.Object({
  user: UserView,
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ minimum: 1 }),
})
export type RegisterResponse = Static<typeof RegisterResponse>

/** Claims every service reads from a verified access token. */
export interface AccessClaims {
  sub: string
  role: Role
  jti: string
  /** Refresh-token family (login session) this token belongs to; logout kills the family. */
  sid: string
  exp: number
  iat: number
  iss: string
  aud: string | string[]
}

/** The authenticated caller as route handlers see it. */
export interface AuthUser {
  id: number
  role: Role
  jti: string
  sid: string
  /** Access-token expiry, seconds since the epoch. */
  exp: number
}

export const Jwks = Type.Object({
  keys: Type.Array(
    Type.Object(
      {
        kty: Type.String(),
        crv: Type.Optional(Type.String()),
        x: Type.Optional(Type.String()),
        kid: Type.String(),
        alg: Type.String(),
        use: Type.String(),
      },
      { additionalProperties: true },
    ),
  ),
})
export type Jwks = Static<typeof Jwks>
