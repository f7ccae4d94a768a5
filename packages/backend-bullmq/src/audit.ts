import { type AuditEntry, type AuditQuery, auditEntrySchema } from '@qadmin/core';
import type { RedisClient as Redis } from './keys';

/**
 * The audit trail in Redis: one stream, `<first prefix>:qadmin:audit`, whose
 * entries carry the JSON of an AuditEntry. On a Cluster the prefix holds a
 * hash tag (`{bull}`), so the key does too. Every dashboard instance over this
 * Redis appends to and reads the same stream.
 *
 * Entry ids follow the entries' own time (`<at>-<seq>`, moved forward when an
 * instance's clock is behind the last entry), so that paging by `before`
 * (epoch ms) is a range of ids. Trimming is exact (`MAXLEN cap`, not `~`): an
 * audit trail grows at the pace of people clicking, so the cost is nothing,
 * and the cap then means what it says.
 */
const APPEND = `
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local ms = tonumber(ARGV[1])
local seq = 0
if #last > 0 then
  local id = last[1][1]
  local dash = string.find(id, '-', 1, true)
  local lastMs = tonumber(string.sub(id, 1, dash - 1))
  if ms <= lastMs then
    ms = lastMs
    seq = tonumber(string.sub(id, dash + 1)) + 1
  end
end
return redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], string.format('%d-%d', ms, seq), 'entry', ARGV[3])
`;

/** See the module comment. */
export class AuditStream {
  readonly key: string;
  readonly #redis: Redis;
  readonly #cap: number;

  constructor(redis: Redis, prefix: string, cap: number) {
    if (!Number.isInteger(cap) || cap < 1)
      throw new TypeError('auditCap must be a positive integer');
    this.#redis = redis;
    this.key = `${prefix}:qadmin:audit`;
    this.#cap = cap;
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.#redis.eval(APPEND, 1, this.key, entry.at, this.#cap, JSON.stringify(entry));
  }

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    // The highest id below `before` ms: the sequence part is a 64-bit counter.
    const end = query.before === undefined ? '+' : `${query.before - 1}-18446744073709551615`;
    if (query.before !== undefined && query.before <= 0) return [];
    const rows = (await this.#redis.xrevrange(this.key, end, '-', 'COUNT', query.limit)) as [
      string,
      string[],
    ][];
    const entries: AuditEntry[] = [];
    for (const [, fields] of rows) {
      const text = fields[fields.indexOf('entry') + 1];
      try {
        const parsed = auditEntrySchema.safeParse(JSON.parse(text ?? ''));
        // Something else wrote there: skip it rather than fail the whole page.
        if (parsed.success) entries.push(parsed.data);
      } catch {}
    }
    return entries;
  }
}
