import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'

/**
 * Largest request body the gateway accepts, and largest sized response it buffers. API messages are a
 * few hundred bytes (services refuse more than 16 KiB); a whole Buffer costs far less per request than
 * a stream pipeline, and a limit here keeps a huge upload from tying up the hop at all.
 */
export const BODY_LIMIT = 1024 * 1024

export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body over ${BODY_LIMIT} bytes`)
    this.name = 'BodyTooLargeError'
  }
}

/** The client's whole body (null when there is none); rejects with BodyTooLargeError past the limit. */
export function requestBody(raw: IncomingMessage): Promise<Buffer | null> {
  const chunked = raw.headers['transfer-encoding'] !== undefined
  const length = Number(raw.headers['content-length'] ?? 0)
  if (!chunked && length === 0) return Promise.resolve(null)
  if (length > BODY_LIMIT) return Promise.reject(new BodyTooLargeError())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= BODY_LIMIT) return void chunks.push(chunk)
      raw.off('data', onData)
      raw.pause()
      reject(new BodyTooLargeError())
    }
    raw.on('data', onData)
    raw.once('end', () => resolve(Buffer.concat(chunks)))
    raw.once('error', reject)
  })
}

/** The upstream's body for the client: buffered when small and sized, else streamed through. */
export async function responseBody(response: Dispatcher.ResponseData): Promise<Buffer | Readable> {
  const length = Number(response.headers['content-length'])
  if (Number.isFinite(length) && length <= BODY_LIMIT) return Buffer.from(await response.body.arrayBuffer())
  return response.body
}
