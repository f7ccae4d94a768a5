/**
 * JSON text of `value`, cut after `maxChars` characters (with `…` appended when
 * cut). Unlike `JSON.stringify(value).slice(...)` it stops walking as soon as
 * the limit is reached, so a row preview of a multi-megabyte payload costs what
 * the preview costs, not what the payload costs.
 *
 * @example
 * ```ts
 * previewJson({ to: 'a@example.com', body: 'x'.repeat(1e6) }, 40);
 * // '{"to":"a@example.com","body":"xxxxxxxxx…'
 * ```
 */
export function previewJson(value: unknown, maxChars = 200): string {
  const out: string[] = [];
  let length = 0;
  let truncated = false;
  const full = () => length >= maxChars;
  const push = (text: string) => {
    if (full()) {
      truncated = true;
      return;
    }
    out.push(text);
    length += text.length;
  };
  const seen = new Set<object>();
  const walk = (v: unknown, depth: number): void => {
    if (full()) return;
    if (v === null || v === undefined) {
      push('null');
      return;
    }
    switch (typeof v) {
      case 'string': {
        // Only the part that can show is escaped: huge strings stay cheap.
        const part = v.length > maxChars ? v.slice(0, maxChars) : v;
        const json = JSON.stringify(part);
        if (v.length > maxChars) truncated = true;
        push(v.length > maxChars ? json.slice(0, -1) : json);
        return;
      }
      case 'number':
        push(Number.isFinite(v) ? String(v) : 'null');
        return;
      case 'boolean':
        push(String(v));
        return;
      case 'bigint':
        push(String(v));
        return;
      case 'object': {
        if (seen.has(v) || depth > 64) {
          push('"[…]"');
          return;
        }
        seen.add(v);
        if (Array.isArray(v)) {
          push('[');
          for (let i = 0; i < v.length && !full(); i++) {
            if (i > 0) push(',');
            walk(v[i], depth + 1);
          }
          push(']');
        } else {
          push('{');
          let first = true;
          for (const key in v) {
            if (full()) break;
            if (!Object.hasOwn(v, key)) continue;
            const item = (v as Record<string, unknown>)[key];
            if (item === undefined || typeof item === 'function') continue;
            if (!first) push(',');
            first = false;
            push(JSON.stringify(key));
            push(':');
            walk(item, depth + 1);
          }
          push('}');
        }
        seen.delete(v);
        return;
      }
      default:
        push('null');
        return;
    }
  };
  walk(value, 0);
  const text = out.join('');
  return truncated || text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
