export * from './gateway/index.ts'
export * from './stack/index.ts'
export * from './audit/index.ts'
