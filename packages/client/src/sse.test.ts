import { describe, expect, it } from 'vitest';
import { createSseParser, type SseMessage } from './sse';

function parse(chunks: string[]) {
  const messages: SseMessage[] = [];
  const retries: number[] = [];
  const parser = createSseParser(
    (m) => messages.push(m),
    (ms) => retries.push(ms),
  );
  for (const chunk of chunks) parser.push(chunk);
  return { messages, retries };
}

const STREAM =
  '\uFEFFretry: 3000\n\n: heartbeat\n\nid: 1\nevent: overview\ndata: {"a":1}\n\n' +
  'id: 2\nevent: job\ndata: line one\ndata: line two\n\ndata:no space\n\nevent: lonely\n\n';

const EXPECTED: SseMessage[] = [
  { event: 'overview', data: '{"a":1}', id: '1' },
  { event: 'job', data: 'line one\nline two', id: '2' },
  { event: 'message', data: 'no space', id: '2' },
];

describe('createSseParser', () => {
  it('parses messages, multi-line data, comments, ids and retry', () => {
    expect(parse([STREAM])).toEqual({ messages: EXPECTED, retries: [3000] });
  });

  it('gives the same result whatever the chunking', () => {
    expect(parse([...STREAM]).messages).toEqual(EXPECTED);
    expect(parse([STREAM.slice(0, 40), STREAM.slice(40, 41), STREAM.slice(41)]).messages).toEqual(
      EXPECTED,
    );
  });

  it('accepts CRLF and CR line endings, even split between chunks', () => {
    const crlf = STREAM.replaceAll('\n', '\r\n');
    expect(parse([crlf]).messages).toEqual(EXPECTED);
    expect(parse([...crlf]).messages).toEqual(EXPECTED);
    expect(parse([STREAM.replaceAll('\n', '\r')]).messages).toEqual(EXPECTED);
  });

  it('waits for the blank line before dispatching', () => {
    const { messages } = parse(['event: job\ndata: {}\n']);
    expect(messages).toEqual([]);
  });
});
