// One sentence for a person from whatever went wrong at an edge.
import { GkError } from '@gatekeeper/shared/protocol/index';
import { NetworkError } from './api/http-api.ts';
import type { MessageKey } from './i18n/en.ts';
import type { I18n } from './i18n/i18n.svelte.ts';

export function describeError(e: unknown, i18n: I18n): string {
  if (e instanceof NetworkError) return i18n.t('signInOffline');
  if (e instanceof GkError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/**
 * A console section's error, in its own words: `offline` (what the section keeps on the
 * server, and that this device cannot reach it) when the request never got there, else
 * `failed` with the error's own sentence as {message}.
 */
export function sectionErrorText(e: unknown, i18n: I18n, offline: MessageKey, failed: MessageKey): string {
  return e instanceof NetworkError ? i18n.t(offline) : i18n.t(failed, { message: describeError(e, i18n) });
}
