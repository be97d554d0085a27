// Arguments are checked before they reach Lua, where a bad value would fail mid-script or, worse,
// be coerced (tonumber('1.5e3')) into a plausible stock movement.

export function int(name: string, value: number, min = 0): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}`)
  return value
}

export function id(name: string, value: number | string): string {
  const text = String(value)
  // Bounded so one bad caller cannot bloat Redis. Colons are fine: a record "qty:userId:expiresAtMs"
  // is parsed from both ends.
  if (text.length === 0 || text.length > 128) throw new RangeError(`${name} must be 1-128 characters`)
  return text
}
