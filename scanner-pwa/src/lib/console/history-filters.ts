// The History screen's filter bar as a form (what the inputs hold, all text), and the
// filters it stands for (shared/src/api/history.ts: the server's own schema). The query
// string is the one the server reads, so the page, "Load more", the CSV export and the
// console's address all name exactly the same set of scans.
import { historySearch, zHistoryFilters, type HistoryFilters } from '@gatekeeper/shared/api/history';
import { OUTCOMES, type Outcome } from '@gatekeeper/shared/outcomes';
import { epochToWallTime, wallTimeToEpoch } from '@gatekeeper/shared/zoned-time';

export interface FilterForm {
  /** A ticket id or an order id, as printed or read out. */
  code: string;
  holder: string;
  checkpoint: string;
  inspector: string;
  device: string;
  /** '' or an outcome. */
  outcome: string;
  /** '' (both), 'online' or 'offline'. */
  link: '' | 'online' | 'offline';
  /** Wall times in the event's zone (datetime-local), '' when open. `to` includes its whole minute. */
  from: string;
  to: string;
}

export const EMPTY_FORM: FilterForm = { code: '', holder: '', checkpoint: '', inspector: '', device: '', outcome: '', link: '', from: '', to: '' };

export interface FormContext {
  timeZone: string;
  /** Whether an id is one of the event's orders (else it is taken for a ticket). */
  isOrder: (id: string) => boolean;
}

/** A minute, as typed in "to", reaches to its last millisecond. */
const MINUTE = 60_000;

/** The filters a form stands for; empty inputs filter nothing. */
export function filtersOfForm(form: FilterForm, ctx: FormContext): HistoryFilters {
  const f: HistoryFilters = {};
  const code = form.code.trim();
  if (code) {
    if (ctx.isOrder(code)) f.order = code as HistoryFilters['order'];
    else f.ticket = code as HistoryFilters['ticket'];
  }
  const holder = form.holder.trim();
  if (holder) f.holder = holder.slice(0, 100);
  if (form.checkpoint) f.checkpoint = form.checkpoint as HistoryFilters['checkpoint'];
  if (form.inspector) f.inspector = form.inspector as HistoryFilters['inspector'];
  if (form.device) f.device = form.device as HistoryFilters['device'];
  if ((OUTCOMES as readonly string[]).includes(form.outcome)) f.outcome = form.outcome as Outcome;
  if (form.link) f.offline = form.link === 'offline';
  const from = form.from ? wallTimeToEpoch(form.from, ctx.timeZone) : null;
  if (from !== null) f.from = from;
  const to = form.to ? wallTimeToEpoch(form.to, ctx.timeZone) : null;
  if (to !== null) f.to = to + MINUTE - 1;
  return f;
}

/** The form that shows these filters (the inverse of filtersOfForm, to the minute). */
export function formOfFilters(f: HistoryFilters, timeZone: string): FilterForm {
  return {
    code: f.ticket ?? f.order ?? '',
    holder: f.holder ?? '',
    checkpoint: f.checkpoint ?? '',
    inspector: f.inspector ?? '',
    device: f.device ?? '',
    outcome: f.outcome ?? '',
    link: f.offline === undefined ? '' : f.offline ? 'offline' : 'online',
    from: f.from === undefined ? '' : epochToWallTime(f.from, timeZone),
    to: f.to === undefined ? '' : epochToWallTime(f.to, timeZone),
  };
}

/** The query string the server reads for these filters ('' for none), without paging. */
export function historyQuery(f: HistoryFilters): string {
  const { offline, ...rest } = f;
  return historySearch({ ...rest, offline: offline === undefined ? undefined : offline ? 'true' : 'false' });
}

/**
 * The filters of a query string (the console's address); a parameter the server would
 * refuse is dropped alone, so one mangled value in a shared link keeps the others.
 */
export function filtersOfQuery(search: string): HistoryFilters {
  const params = Object.fromEntries(new URLSearchParams(search));
  const whole = zHistoryFilters.safeParse(params);
  if (whole.success) return whole.data;
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k in zHistoryFilters.shape && zHistoryFilters.safeParse({ [k]: v }).success) kept[k] = v;
  }
  return zHistoryFilters.parse(kept);
}
