export { ApiClient, expectOk, type ApiClientOptions, type ApiResult } from './client.ts'
