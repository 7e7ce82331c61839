// The time left until a wallet's code appears, as a holder reads it: days and hours far
// off, minutes and seconds close by. Pure, so the wording is tested without a clock.

/** "2 d 4 h", "1 h 05 min", "4:09" (minutes:seconds under an hour). */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m}:${String(sec).padStart(2, '0')}`;
}
