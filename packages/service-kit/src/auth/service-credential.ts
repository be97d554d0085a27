import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { ProblemError } from '../problem.ts'

const digest = (value: string) => createHash('sha256').update(value).digest()

/**
 * preHandler for `/internal/*` routes: the caller must present the shared service credential.
 * Compared as fixed-length digests in constant time so timing reveals nothing about the secret.
 */
export function requireServiceCredential(serviceToken: string) {
  const expected = digest(serviceToken)
  return async (request: FastifyRequest) => {
    const header = request.headers.authorization
    const presented = header?.startsWith('Bearer ') ? header.slice(7) : ''
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      throw new ProblemError('unauthorized', 'A valid service credential is required')
    }
  }
}
