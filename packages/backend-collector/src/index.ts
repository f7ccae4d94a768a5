/**
 * `@qadmin/backend-collector`: a qadmin dashboard for any queue, fed by the
 * events workers report (docs/ingest-protocol.md) and kept in SQLite.
 */
export {
  type CollectorBackend,
  type CollectorOptions,
  createCollectorBackend,
} from './backend';
export {
  type CollectorEvent,
  type CollectorEventInput,
  collectorEventSchema,
  type JobEvent,
} from './events';
export { COMMAND_LEASE_MS, CollectorStore } from './store';
