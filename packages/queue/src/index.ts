export * from './protocol.js';
export { BadImageError, createWorker, defaultThreads, restoreProcessor, type ImageRestorer, type WorkerOptions } from './worker.js';
export { enqueueRestore, pingRedis, RedisUnreachableError, type BatchImage, type BatchProgress, type BatchResult, type EnqueueOptions } from './submit.js';
export { UnrecoverableError, type ConnectionOptions } from 'bullmq';
