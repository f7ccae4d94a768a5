/**
 * Conformance suites for qadmin: {@link runBackendContract} for queue
 * backends and {@link runAdapterContract} for framework adapters, plus the
 * hostile payloads they use.
 */
export {
  type AdapterContractOptions,
  type AdapterHarness,
  type AdapterHarnessOptions,
  type MakeHarness,
  runAdapterContract,
} from './adapter';
export { listenHarness } from './adapter/serve';
export { runBackendContract } from './contract';
export {
  type HostilePayload,
  hostileObject,
  hostilePayloads,
  largeString,
} from './payloads';
export type { BackendContractOptions, SeededJobs, SeedSpec } from './types';
