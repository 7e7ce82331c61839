// A checkpoint's rules as the console's form holds them (text, times as wall times in the
// event's zone) and back: pure, so the form only lays them out.
import { zCheckpoint, type Checkpoint } from '@gatekeeper/shared/domain';
import type { RuleMode } from '@gatekeeper/shared/vocabulary';
import type { MessageKey } from '../i18n/en.ts';
import { epochToWallTime, wallTimeToEpoch } from '@gatekeeper/shared/zoned-time';

export interface CheckpointForm {
  id: string;
  name: string;
  zone: string;
  mode: RuleMode;
  /** Ticket types, comma-separated; empty: every type. */
  types: string;
  /** datetime-local values in the event's zone; empty: open. */
  from: string;
  until: string;
}

export const NEW_CHECKPOINT: CheckpointForm = { id: '', name: '', zone: '', mode: 'once_per_event', types: '', from: '', until: '' };

export function formOfCheckpoint(c: Checkpoint, timeZone: string): CheckpointForm {
  return {
    id: c.id, name: c.name, zone: c.zone, mode: c.mode, types: (c.allowedTypes ?? []).join(', '),
    from: c.validFrom === null ? '' : epochToWallTime(c.validFrom, timeZone),
    until: c.validUntil === null ? '' : epochToWallTime(c.validUntil, timeZone),
  };
}

/** An id for a new checkpoint from its name: "North gate 2" → "north-gate-2". */
export const idFromName = (name: string): string =>
  name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 64);

export type FormResult = { ok: true; checkpoint: Checkpoint } | { ok: false; problem: MessageKey };

/** The checkpoint the form describes, or what is wrong with it, worded by the console. */
export function checkpointOfForm(form: CheckpointForm, eventId: string, timeZone: string): FormResult {
  const id = form.id || idFromName(form.name);
  if (!form.name.trim() || !id) return { ok: false, problem: 'cpNeedsName' };
  if (!form.zone.trim()) return { ok: false, problem: 'cpNeedsZone' };
  const types = [...new Set(form.types.split(',').map((t) => t.trim()).filter(Boolean))];
  const from = form.from ? wallTimeToEpoch(form.from, timeZone) : null;
  const until = form.until ? wallTimeToEpoch(form.until, timeZone) : null;
  if ((form.from && from === null) || (form.until && until === null)) return { ok: false, problem: 'cpBadTime' };
  // The window is the whole minute the inspector typed: "until 23:00" closes at 23:00:59.
  const untilEnd = until === null ? null : until + 59_999;
  if (from !== null && untilEnd !== null && untilEnd < from) return { ok: false, problem: 'cpWindowBackwards' };
  const parsed = zCheckpoint.safeParse({
    id, eventId, name: form.name.trim(), zone: form.zone.trim(), mode: form.mode,
    allowedTypes: types.length ? types : null, validFrom: from, validUntil: untilEnd,
  });
  return parsed.success ? { ok: true, checkpoint: parsed.data } : { ok: false, problem: 'cpInvalid' };
}
