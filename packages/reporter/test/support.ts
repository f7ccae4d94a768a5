/**
 * A stand-in collector whose answers each test controls, on a real
 * node:http server: it can answer, fail, hang, or stop listening altogether
 * (and come back on the same port). It stores events only when it answers
 * 200, by id, like the real one.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const TOKEN = 'reporter-test-ingest-token-0001';

export interface WireEvent {
  id: string;
  type: string;
  time: number;
  queue?: string;
  jobId?: string;
  [field: string]: unknown;
}

/** What the fake answers: a status, `hang` (never answers), `reset` (drops the connection) or `accept` (stores, answers 200). */
export type Answer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'hang'
  | 'reset'
  | 'accept';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  events: WireEvent[];
  at: number;
}

export class FakeCollector {
  readonly requests: FakeRequest[] = [];
  /** Stored events by id: only what a 200 answer took. */
  readonly stored = new Map<string, WireEvent>();
  /** Decides each answer to `POST api/ingest/events`; default: accept. */
  answerEvents: (request: FakeRequest) => Answer = () => 'accept';
  /** Commands handed out on every poll; default none. */
  answerCommands: (request: FakeRequest) => Answer = () => ({
    status: 200,
    body: { commands: [] },
  });
  #server: Server;
  #port = 0;
  #hung = new Set<ServerResponse>();

  private constructor() {
    this.#server = this.#create();
  }

  static async start(): Promise<FakeCollector> {
    const fake = new FakeCollector();
    await fake.#listen(0);
    return fake;
  }

  get port(): number {
    return this.#port;
  }

  /** The dashboard mount URL a reporter is given. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}/admin/queues`;
  }

  eventRequests(): FakeRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/api/ingest/events'));
  }

  /** Stored job events (no heartbeats or command results), in id order of arrival. */
  jobEvents(): WireEvent[] {
    return [...this.stored.values()].filter((e) => e.jobId !== undefined);
  }

  ofType(type: string): WireEvent[] {
    return [...this.stored.values()].filter((e) => e.type === type);
  }

  /** Stops listening: connections are refused until {@link FakeCollector.up}. */
  async down(): Promise<void> {
    for (const response of this.#hung) response.socket?.destroy();
    this.#hung.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Listens again, on the same port. */
  async up(): Promise<void> {
    this.#server = this.#create();
    await this.#listen(this.#port);
  }

  async stop(): Promise<void> {
    if (this.#server.listening) await this.down();
  }

  #create(): Server {
    return createServer((request, response) => void this.#handle(request, response));
  }

  async #listen(port: number): Promise<void> {
    this.#server.listen(port, '127.0.0.1');
    await once(this.#server, 'listening');
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://localhost');
    let events: WireEvent[] = [];
    if (request.method === 'POST') {
      try {
        events = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: WireEvent[] })
          .events;
      } catch {
        response.writeHead(400).end();
        return;
      }
    }
    const seen: FakeRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: request.headers.authorization,
      events,
      at: Date.now(),
    };
    this.requests.push(seen);
    const answer = url.pathname.endsWith('/api/ingest/commands')
      ? this.answerCommands(seen)
      : this.answerEvents(seen);
    if (answer === 'hang') {
      this.#hung.add(response);
      response.on('close', () => this.#hung.delete(response));
      return;
    }
    if (answer === 'reset') {
      request.socket.destroy();
      return;
    }
    if (answer === 'accept') {
      let accepted = 0;
      let duplicates = 0;
      for (const event of events) {
        if (this.stored.has(event.id)) duplicates++;
        else {
          this.stored.set(event.id, event);
          accepted++;
        }
      }
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ accepted, duplicates, rejected: [] }));
      return;
    }
    if (answer.status === 200 && request.method === 'POST') {
      // A 200 with a body of the test's making: store what it does not reject.
      const rejected = new Set(
        ((answer.body as { rejected?: { index: number }[] })?.rejected ?? []).map((r) => r.index),
      );
      events.forEach((event, index) => {
        if (!rejected.has(index)) this.stored.set(event.id, event);
      });
    }
    response
      .writeHead(answer.status, {
        'content-type': 'application/json',
        ...(answer.headers ?? {}),
      })
      .end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }
}

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
