import { problemResponses } from '@flash/service-kit'

/** OpenAPI/serialisation helpers shared by the inventory routes. */
export const PUBLIC_TAGS = ['products']
/** Internal routes are documented in this service's own /docs (reachable only inside the VPC); the
 * gateway's merged document drops every `/internal` path. */
export const INTERNAL_TAGS = ['internal']
export { BEARER, BODY_PROBLEMS, problemCodes as codes } from '@flash/service-kit'

export const problems = problemResponses({
  descriptions: {
    404: 'No such product (product_not_found)',
    503: 'Redis or MySQL is unavailable (dependency_unavailable); see Retry-After',
  },
})

export { StockState } from '@flash/contracts'
