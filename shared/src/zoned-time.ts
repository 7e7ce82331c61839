// Wall-clock times in an event's time zone: the console's time filters (a supervisor asks
// for "from 19:30" at the venue, whatever zone the laptop is set to) and the hour the code
// word of the day changes. The browser's <input type="datetime-local"> gives a wall time
// with no zone; Intl knows the zone's rules.

const WALL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const DAY = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function partsIn(ms: number, timeZone: string): number[] {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  return [Number(p.year), Number(p.month), Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)];
}

/** How far the zone's wall clock is ahead of UTC at this instant, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const [y, mo, d, h, mi, s] = partsIn(ms, timeZone);
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) - Math.floor(ms / 1000) * 1000;
}

/**
 * "2026-06-12T19:30" in `timeZone` → epoch ms; null when the text is no wall time. A time
 * that a clock change skips (02:30 on a spring night) is read with the offset before the
 * change (as 03:30); one it repeats (02:30 on an autumn night), as its first occurrence.
 */
export function wallTimeToEpoch(wall: string, timeZone: string): number | null {
  const m = WALL.exec(wall);
  if (!m) return null;
  const naive = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  // Date.UTC rolls "13-45" over into another date: such text names no time.
  if (Number.isNaN(naive) || new Date(naive).toISOString().slice(0, 16) !== wall.slice(0, 16)) return null;
  // The zone's offsets a day either side: the same except across a clock change, where each
  // candidate is one reading. Of those that read back as asked, the earlier; if none does
  // (the skipped hour), the reading with the offset from before the change.
  const before = naive - offsetAt(naive - DAY, timeZone);
  const after = naive - offsetAt(naive + DAY, timeZone);
  const asked = `${wall.slice(0, 16)}:${m[6] ?? '00'}`;
  const fits = [before, after].filter((guess) => epochToWallTime(guess, timeZone, true) === asked);
  return fits.length ? Math.min(...fits) : before;
}

/** Epoch ms → "2026-06-12T19:30" in `timeZone` (seconds dropped), as datetime-local shows it. */
export function epochToWallTime(ms: number, timeZone: string, seconds = false): string {
  const [y, mo, d, h, mi, s] = partsIn(ms, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${y}-${two(mo!)}-${two(d!)}T${two(h!)}:${two(mi!)}${seconds ? `:${two(s!)}` : ''}`;
}
