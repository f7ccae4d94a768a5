/**
 * A short English description of the common cron expressions ("At 03:00 every
 * day", "Every 5 minutes", "At 09:30 on Monday–Friday"); an empty string for
 * the ones it cannot describe exactly (the expression itself is always shown).
 */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const NUMBER = /^\d+$/;
const pad = (value: string | number) => String(value).padStart(2, '0');

function isAny(field: string): boolean {
  return field === '*' || field === '?';
}

function step(field: string): number | undefined {
  const match = /^(?:\*|0)\/(\d+)$/.exec(field);
  return match ? Number(match[1]) : undefined;
}

/** `1-5` -> "Monday–Friday", `MON,WED` -> "Monday and Wednesday", with `names` (index = value). */
function namedList(field: string, names: string[], offset: number): string | undefined {
  const lookup = (token: string): number | undefined => {
    if (NUMBER.test(token)) return Number(token) - offset;
    const index = names.findIndex((name) => name.slice(0, 3).toLowerCase() === token.toLowerCase());
    return index === -1 ? undefined : index;
  };
  const items: string[] = [];
  for (const part of field.split(',')) {
    const [from, to, ...rest] = part.split('-');
    if (rest.length > 0 || from === undefined) return undefined;
    const a = lookup(from);
    const b = to === undefined ? a : lookup(to);
    // 7 is Sunday too in the day-of-week field.
    const name = (i: number | undefined) => (i === undefined ? undefined : names[i % names.length]);
    const first = name(a);
    const last = name(b);
    if (!first || !last) return undefined;
    items.push(first === last ? first : `${first}–${last}`);
  }
  return joinList(items);
}

function joinList(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function numbers(field: string): number[] | undefined {
  const parts = field.split(',');
  return parts.every((part) => NUMBER.test(part)) ? parts.map(Number) : undefined;
}

function describeTime(minute: string, hour: string): { text: string; daily: boolean } | undefined {
  const minutes = numbers(minute);
  const hours = numbers(hour);
  const minuteStep = step(minute);
  const hourStep = step(hour);
  const hourRange = /^(\d+)-(\d+)$/.exec(hour);
  if (isAny(minute) && isAny(hour)) return { text: 'Every minute', daily: false };
  if (minuteStep && isAny(hour)) {
    return {
      text: minuteStep === 1 ? 'Every minute' : `Every ${minuteStep} minutes`,
      daily: false,
    };
  }
  if (minutes?.length === 1 && isAny(hour)) {
    return { text: `Every hour at :${pad(minutes[0]!)}`, daily: false };
  }
  if (minutes?.length === 1 && hourStep) {
    return { text: `Every ${hourStep} hours at :${pad(minutes[0]!)}`, daily: false };
  }
  if (minutes?.length === 1 && hourRange) {
    return {
      text: `Every hour at :${pad(minutes[0]!)} from ${pad(hourRange[1]!)}:00 to ${pad(hourRange[2]!)}:59`,
      daily: false,
    };
  }
  if (minutes && hours && minutes.length * hours.length <= 6) {
    const times = hours.flatMap((h) => minutes.map((m) => `${pad(h)}:${pad(m)}`));
    return { text: `At ${joinList(times)}`, daily: true };
  }
  return undefined;
}

/** A description of `pattern`, or '' when it is not one of the common forms. */
export function describeCron(pattern: string): string {
  const trimmed = pattern.trim();
  let fields = (NICKNAMES[trimmed.toLowerCase()] ?? trimmed).split(/\s+/);
  if (fields.length === 6) {
    if (fields[0] !== '0') return '';
    fields = fields.slice(1);
  }
  if (fields.length !== 5) return '';
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const time = describeTime(minute, hour);
  if (!time) return '';
  const parts = [time.text];
  if (!isAny(dom)) {
    if (!/^[\d,-]+$/.test(dom)) return '';
    parts.push(`on day ${dom.replaceAll(',', ', ')} of the month`);
  }
  if (!isAny(dow)) {
    const days = namedList(dow, DAYS, 0);
    if (!days) return '';
    parts.push(`${isAny(dom) ? 'on' : 'or on'} ${days}`);
  }
  if (!isAny(month)) {
    const months = namedList(month, MONTHS, 1);
    if (!months) return '';
    parts.push(`in ${months}`);
  }
  if (parts.length === 1 && time.daily) parts.push('every day');
  return parts.join(' ');
}
