export { ADMIN, type E2eStack, eventually, startE2eStack } from './stack.ts'
export { inParallel } from '@flash/test-kit'
