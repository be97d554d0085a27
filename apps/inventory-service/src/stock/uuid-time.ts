const UUID_V7 = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

/** Creation time (ms since epoch) embedded in a UUIDv7 (its first 48 bits), or null for other ids. */
export function uuidV7Time(id: string): number | null {
  const match = UUID_V7.exec(id)
  return match ? Number.parseInt(match[1]! + match[2]!, 16) : null
}
