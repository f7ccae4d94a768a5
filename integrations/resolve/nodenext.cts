// The same from a CommonJS TypeScript module under NodeNext.
import core = require('@qadmin/core');
import client = require('@qadmin/client');

export const id: string = core.formatQueueId('memory', 'emails');
export const make = client.createClient;
