export * from './api';
export {
  type AuditEntry,
  type AuditPage,
  type AuditQuery,
  AuditRing,
  auditEntrySchema,
  auditPageSchema,
  auditQuerySchema,
  DEFAULT_AUDIT_CAP,
} from './audit';
export * from './auth/index';
export * from './backend';
export { decodeCursor, encodeCursor } from './cursor';
export * from './errors';
export {
  type CreateAdminOptions,
  createAdmin,
  type QadminApp,
  type QadminAppOptions,
} from './http/admin';
export { normalizeBasePath, stripBasePath } from './http/base-path';
export { DEFAULT_BODY_LIMIT_BYTES } from './http/body';
export {
  createFetchHandler,
  type FetchHandlerOptions,
  fromFetchRequest,
  toFetchBody,
  toFetchResponse,
} from './http/fetch';
export {
  createNodeListener,
  fromNodeRequest,
  type NodeListenerOptions,
  type NodeMount,
  toNodeResponse,
  writeNodeResponse,
} from './http/node';
export { buildOpenApiDocument } from './http/openapi';
export {
  jsonResponse,
  PROBLEM_TYPE_BASE,
  type ProblemDocument,
  problemResponse,
  problemSchema,
} from './http/problem';
export {
  type ApiOperation,
  type ApiOperationId,
  apiRoutes,
  type HttpMethod,
  type JsonRoute,
  type OpenApiDocument,
  type QueryParams,
  type RawRoute,
  type Route,
  type RouteAppContext,
  type RouteContext,
} from './http/routes';
export { brandingSchema, findInstalledUi, type UiBranding, type UiConfig } from './http/static';
export * from './http/types';
export * from './ingest';
export * from './metrics';
export * from './model';
export * from './preview';
export {
  compileRedaction,
  type Redaction,
  type RedactionContext,
  type RedactionOptions,
} from './redaction';
export * from './service';
