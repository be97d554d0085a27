// The products the order scenarios set up through the admin API, defined once for `npm run load` and
// `npm run bench`: a product with nothing to sell, and a sale's product whose units are there from
// the start or arrive by a restock (the opening).
import type { Product } from '@flash/contracts'
import type { Admin } from '../engine/admin.ts'

const stamp = () => new Date().toISOString()

/** Stock 0: every order for it must be refused (409). */
export function soldOutProduct(admin: Admin, label: string): Promise<Product> {
  return admin.createProduct({ name: `${label} ${stamp()}`, price_cents: 1999, stock: 0, max_per_user: null })
}

/** `units` for sale, or none yet when `opening` (then `openSale` makes them available). */
export function saleProduct(admin: Admin, label: string, units: number, opening: boolean): Promise<Product> {
  return admin.createProduct({
    name: `${label} ${stamp()}`,
    price_cents: 4999,
    stock: opening ? 0 : units,
    max_per_user: null,
  })
}

/** The opening of a sale: one admin restock of `units`. */
export const openSale = (admin: Admin, productId: number, units: number) => async (): Promise<void> => {
  await admin.restock(productId, units)
}
