import { v7 } from 'uuid'

/** UUIDv7: time-ordered, so new rows append to the index instead of splitting random pages. */
export function newUuid(): string {
  return v7()
}
