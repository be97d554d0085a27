/** What a test helper needs of tap's `t`: a place to register cleanup (tap runs them in reverse). */
export interface Teardown {
  teardown(fn: () => unknown): void
}
