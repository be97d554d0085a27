export { ADMIN, type E2eStack, eventually, inParallel, startE2eStack } from './stack.ts'
