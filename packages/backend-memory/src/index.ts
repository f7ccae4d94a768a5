/**
 * `@qadmin/backend-memory`: the in-process reference backend of qadmin. A real
 * job queue (processors, retries, delays, priorities, flows, schedules,
 * metrics) behind the QueueBackend seam; the embedded default and the example
 * to read before writing a backend.
 */
export {
  createMemoryBackend,
  MEMORY_CAPABILITIES,
  MemoryBackend,
  type MemoryBackendOptions,
} from './backend';
export { type DemoWorkloadOptions, startDemoWorkload } from './demo-workload';
export { MemoryQueue, MemoryWorker } from './queue';
export { MEMORY_STATES, type MemoryJobState } from './records';
export type {
  AddOptions,
  Backoff,
  FlowJob,
  FlowNode,
  JobContext,
  ProcessOptions,
  Processor,
  RemoveOnFinish,
  TakeNextOptions,
} from './types';
