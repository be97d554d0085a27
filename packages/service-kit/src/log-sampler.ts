/**
 * At most `perSecond` lines a second for one kind of line; the rest are only counted, and the count
 * is handed back once the next second starts so one summary line can report it. A log that grows
 * with an attack or an overload is a second attack (and a bill): metrics count every event, the log
 * shows a sample.
 */
export class LogSampler {
  readonly #perSecond: number
  #second = 0
  #written = 0
  #suppressed = 0

  constructor(perSecond: number) {
    this.#perSecond = perSecond
  }

  /**
   * Whether this line may be written. `onSummary` gets how many lines were dropped in the previous
   * second(s), once, when a new second starts.
   */
  admit(onSummary: (suppressed: number) => void, now = Date.now()): boolean {
    const second = Math.floor(now / 1000)
    if (second !== this.#second) {
      if (this.#suppressed > 0) onSummary(this.#suppressed)
      this.#second = second
      this.#written = 0
      this.#suppressed = 0
    }
    if (this.#written < this.#perSecond) {
      this.#written++
      return true
    }
    this.#suppressed++
    return false
  }
}
