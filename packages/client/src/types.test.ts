/**
 * Compile-time checks (tsc runs them; vitest only sees one trivial test): the
 * client's types are the route table's, and every operation has a method.
 */
import type {
  ApiJob,
  ApiJobPage,
  ApiOperation,
  ApiOperationId,
  BulkAction,
  JobAction,
  JobState,
  Overview,
  SearchField,
} from '@qadmin/core';
import { expectTypeOf, it } from 'vitest';
import type { ListJobsParams, QadminClient } from './index';

it('client types follow the route table', () => {
  expectTypeOf<ApiOperation<'overview'>['response']>().toEqualTypeOf<Overview>();
  expectTypeOf<ApiOperation<'listJobs'>['response']>().toEqualTypeOf<ApiJobPage>();
  expectTypeOf<ApiOperation<'addJob'>['response']>().toEqualTypeOf<ApiJob>();
  expectTypeOf<ApiOperation<'jobAction'>['body']>().toEqualTypeOf<JobAction>();
  expectTypeOf<ApiOperation<'bulkAction'>['body']>().toEqualTypeOf<BulkAction>();
  expectTypeOf<ApiOperation<'removeSchedule'>['response']>().toEqualTypeOf<undefined>();
  expectTypeOf<ListJobsParams['state']>().toEqualTypeOf<JobState>();
  expectTypeOf<ListJobsParams['limit']>().toEqualTypeOf<number | undefined>();
  expectTypeOf<ListJobsParams['in']>().toEqualTypeOf<SearchField[] | undefined>();
  expectTypeOf<Awaited<ReturnType<QadminClient['listJobs']>>>().toEqualTypeOf<
    ApiOperation<'listJobs'>['response']
  >();
  expectTypeOf<Parameters<QadminClient['addJob']>[1]>().toEqualTypeOf<
    ApiOperation<'addJob'>['body']
  >();

  // A route added to the table fails here until the client has a method for it.
  type Covered =
    | 'me'
    | 'login'
    | 'logout'
    | 'setup'
    | 'overview'
    | 'health'
    | 'throughput'
    | 'listWorkers'
    | 'events'
    | 'openapi'
    | 'getQueue'
    | 'listJobs'
    | 'addJob'
    | 'getJob'
    | 'getJobLogs'
    | 'jobAction'
    | 'bulkAction'
    | 'listQueueWorkers'
    | 'listSchedules'
    | 'upsertSchedule'
    | 'removeSchedule'
    | 'getMetrics'
    | 'prometheus'
    | 'audit';
  // Workers speak the ingest routes through @qadmin/reporter, with an ingest token, not a dashboard client.
  type ForWorkers = 'ingestEvents' | 'ingestCommands';
  expectTypeOf<ApiOperationId>().toEqualTypeOf<Covered | ForWorkers>();
});
