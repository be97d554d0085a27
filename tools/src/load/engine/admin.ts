// The admin side of a scenario: log in (politely) and create the products the load needs.
import { type ApiClient, expectOk } from '@flash/api-client'
import type { CreateProductBody, Product } from '@flash/contracts'
import { politely } from './polite.ts'

export interface Admin {
  token: string
  createProduct(body: CreateProductBody): Promise<Product>
  restock(productId: number, quantity: number): Promise<Product>
}

/** `inventory`: where products are created when that is not `client`'s base (the bench's services). */
export async function loginAdmin(
  client: ApiClient,
  email: string | undefined,
  password: string | undefined,
  inventory: ApiClient = client,
): Promise<Admin> {
  if (!email || !password)
    throw new Error(
      'this scenario creates products: give --admin-email/--admin-password (or ADMIN_EMAIL/ADMIN_PASSWORD)',
    )
  const deadlineMs = Date.now() + 120_000
  const login = await politely(() => client.login({ email, password }), { deadlineMs })
  if (!login.ok) throw new Error(`admin login as ${email} answered ${login.status}: ${login.problem?.title}`)
  const token = login.data.access_token
  return {
    token,
    createProduct: async (body) =>
      expectOk(await politely(() => inventory.createProduct(token, body), { deadlineMs })),
    restock: async (id, quantity) => expectOk(await inventory.restock(token, id, { quantity })),
  }
}
