export { createSqsClient, type SqsClientOptions } from './client.ts'
export { ensureQueues, type EnsuredQueues, type QueueSetup } from './ensure-queues.ts'
export { startSqsEmulator, type SqsEmulator, type SqsEmulatorOptions } from './emulator.ts'
export { sendBatch, type BatchEntry, type BatchFailure, type BatchResult } from './send-batch.ts'
