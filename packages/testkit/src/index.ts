/**
 * Conformance suites for qadmin: {@link runBackendContract} for queue
 * backends (and, soon, `runAdapterContract` for framework adapters), plus the
 * hostile payloads they use.
 */
export { runBackendContract } from './contract';
export {
  type HostilePayload,
  hostileObject,
  hostilePayloads,
  largeString,
} from './payloads';
export type { BackendContractOptions, SeededJobs, SeedSpec } from './types';
