import type { Db, Role, User } from '@flash/db'
import type { UserView } from '@flash/contracts'

/** Emails are stored lower-cased: the unique key then makes them unique case-insensitively. */
export const normalizeEmail = (email: string) => email.toLowerCase()

export function toUserView(user: Pick<User, 'id' | 'name' | 'email' | 'role'>): UserView {
  return { id: Number(user.id), name: user.name, email: user.email, role: user.role }
}

export interface NewUserInput {
  name: string
  email: string
  passwordHash: string
  role?: Role
}

/** Inserts a user and returns its id; a taken email surfaces as the driver's duplicate-key error. */
export async function insertUser(db: Db, input: NewUserInput): Promise<number> {
  const result = await db
    .insertInto('users')
    .values({
      name: input.name,
      email: normalizeEmail(input.email),
      password_hash: input.passwordHash,
      role: input.role ?? 'customer',
    })
    .executeTakeFirstOrThrow()
  return Number(result.insertId)
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst()
}

export async function findUserById(db: Db, id: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function updatePasswordHash(db: Db, id: number, passwordHash: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: new Date() })
    .where('id', '=', id)
    .execute()
}

/** Creates the account as admin, or makes an existing one admin with this password: idempotent. */
export async function upsertAdmin(db: Db, input: Omit<NewUserInput, 'role'>): Promise<void> {
  await db
    .insertInto('users')
    .values({
      name: input.name,
      email: normalizeEmail(input.email),
      password_hash: input.passwordHash,
      role: 'admin',
    })
    .onDuplicateKeyUpdate((eb) => ({
      role: 'admin',
      password_hash: eb.fn<string>('values', [eb.ref('password_hash')]),
      updated_at: new Date(),
    }))
    .execute()
}
