/**
 * One message of an event stream.
 *
 * @example
 * ```ts
 * const message: SseMessage = { event: 'overview', data: '{"type":"overview",...}', id: '1' };
 * ```
 */
export interface SseMessage {
  /** The `event:` name, `message` when the server gave none. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen, when any. */
  id: string | undefined;
}

/**
 * A parser of the `text/event-stream` format (HTML Living Standard, "Server-sent
 * events"): feed it decoded text in chunks of any size; it calls `onMessage`
 * for each complete message and `onRetry` for each `retry:` field. Lines may
 * end with CRLF, LF or CR, even split across chunks; comments are ignored.
 *
 * @example
 * ```ts
 * const parser = createSseParser((m) => console.log(m.event, JSON.parse(m.data)));
 * parser.push('event: job\ndata: {"type":"job"}\n\n');
 * ```
 */
export function createSseParser(
  onMessage: (message: SseMessage) => void,
  onRetry?: (ms: number) => void,
): { push(text: string): void } {
  let buffer = '';
  let skipLineFeed = false;
  let started = false;
  let event = '';
  let data: string[] = [];
  let lastId: string | undefined;

  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0)
        onMessage({ event: event || 'message', data: data.join('\n'), id: lastId });
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry?.(Number(value));
  };

  return {
    push(text) {
      let chunk = text;
      if (!started && chunk.length > 0) {
        started = true;
        if (chunk.startsWith('\uFEFF')) chunk = chunk.slice(1);
      }
      if (skipLineFeed && chunk.startsWith('\n')) chunk = chunk.slice(1);
      skipLineFeed = false;
      buffer += chunk;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== '\n' && c !== '\r') continue;
        line(buffer.slice(start, i));
        if (c === '\r') {
          if (i + 1 === buffer.length) skipLineFeed = true;
          else if (buffer[i + 1] === '\n') i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
  };
}
