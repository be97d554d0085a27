export { ApiClient, expectOk, type ApiClientOptions, type ApiResult } from './client.ts'
export {
  InventoryCallError,
  InventoryInternalClient,
  type InventoryInternalClientOptions,
  type ReserveOutcome,
} from './inventory-internal-client.ts'
