export { buildApp, type AppOverrides } from './app.ts'
export { seedAdmin, type AdminSeed, type SeedResult } from './users/admin-seed.ts'
export { createPasswordHasher, type PasswordHasher } from './passwords/password.ts'
export { AuthEnv, type AuthConfig } from './config.ts'
