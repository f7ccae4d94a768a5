/**
 * The SQLite layout of a collector store. Counts per queue and state and the
 * full-text index are kept by triggers, so every path that writes a job
 * (ingest, actions, retention) keeps them exact without repeating the rule.
 */

/** Bumped when the layout changes; a store of a newer version is refused. */
export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS queues (
  name TEXT PRIMARY KEY,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY,
  queue TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  native TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  data TEXT,
  result TEXT,
  error TEXT,
  stack TEXT,
  progress TEXT,
  attempt INTEGER NOT NULL,
  attempts_allowed INTEGER,
  priority REAL,
  delay_until INTEGER,
  started_at INTEGER,
  finished_at INTEGER,
  worker TEXT,
  parent_queue TEXT,
  parent_id TEXT,
  d_attempt INTEGER NOT NULL,
  d_step INTEGER NOT NULL,
  d_time INTEGER NOT NULL,
  pending TEXT,
  updated_at INTEGER NOT NULL,
  UNIQUE (queue, id)
);
CREATE INDEX IF NOT EXISTS jobs_page ON jobs (queue, state, created_at, seq);
CREATE INDEX IF NOT EXISTS jobs_named ON jobs (queue, name, state, created_at, seq);
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (queue, finished_at) WHERE finished_at IS NOT NULL;
-- Retention and clean go by when a job finished: a column that changes once, not on every event.
CREATE INDEX IF NOT EXISTS jobs_aging ON jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_running ON jobs (worker) WHERE state = 'active';
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (delay_until) WHERE state = 'delayed';

CREATE TABLE IF NOT EXISTS counts (
  queue TEXT NOT NULL,
  state TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (queue, state)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS jobs_count_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO counts (queue, state, n) VALUES (new.queue, new.state, 1)
    ON CONFLICT (queue, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS jobs_count_delete AFTER DELETE ON jobs BEGIN
  UPDATE counts SET n = n - 1 WHERE queue = old.queue AND state = old.state;
END;
CREATE TRIGGER IF NOT EXISTS jobs_count_update AFTER UPDATE OF state ON jobs
WHEN old.state IS NOT new.state BEGIN
  UPDATE counts SET n = n - 1 WHERE queue = old.queue AND state = old.state;
  INSERT INTO counts (queue, state, n) VALUES (new.queue, new.state, 1)
    ON CONFLICT (queue, state) DO UPDATE SET n = n + 1;
END;

-- Full-text search over data and errors. FTS5 writes a segment per transaction,
-- the largest cost of a small ingest batch; so writes only note which jobs
-- changed (fts_pending) and the indexer brings the index up to date in one
-- transaction every few hundred ms. Contentless with contentless_delete: a row
-- is dropped by its rowid alone, whatever text it was indexed with.
CREATE VIRTUAL TABLE IF NOT EXISTS jobs_fts USING fts5(
  data, error, content = '', contentless_delete = 1, tokenize = 'unicode61'
);
CREATE TABLE IF NOT EXISTS fts_pending (seq INTEGER PRIMARY KEY);
CREATE TRIGGER IF NOT EXISTS jobs_fts_insert AFTER INSERT ON jobs
WHEN new.data IS NOT NULL OR new.error IS NOT NULL BEGIN
  INSERT OR IGNORE INTO fts_pending (seq) VALUES (new.seq);
END;
CREATE TRIGGER IF NOT EXISTS jobs_fts_delete AFTER DELETE ON jobs BEGIN
  INSERT OR IGNORE INTO fts_pending (seq) VALUES (old.seq);
END;
CREATE TRIGGER IF NOT EXISTS jobs_fts_update AFTER UPDATE OF data, error ON jobs
WHEN old.data IS NOT new.data OR old.error IS NOT new.error BEGIN
  INSERT OR IGNORE INTO fts_pending (seq) VALUES (new.seq);
END;

CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  queue TEXT NOT NULL,
  job_id TEXT NOT NULL,
  type TEXT NOT NULL,
  time INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_job ON events (queue, job_id, time);

CREATE TABLE IF NOT EXISTS workers (
  id TEXT PRIMARY KEY,
  name TEXT,
  host TEXT,
  pid INTEGER,
  queues TEXT NOT NULL,
  concurrency INTEGER,
  active_jobs INTEGER,
  started_at INTEGER,
  last_seen INTEGER NOT NULL,
  stopping INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS commands (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  queue TEXT NOT NULL,
  job_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  worker TEXT,
  leased_until INTEGER,
  finished_at INTEGER,
  message TEXT
);
CREATE INDEX IF NOT EXISTS commands_open ON commands (queue, seq) WHERE state = 'open';

CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
`;
