// One sentence for a person from whatever went wrong at an edge.
import { GkError } from '@gatekeeper/shared/protocol/index';
import { NetworkError } from './api/http-api.ts';
import type { I18n } from './i18n/i18n.svelte.ts';

export function describeError(e: unknown, i18n: I18n): string {
  if (e instanceof NetworkError) return i18n.t('signInOffline');
  if (e instanceof GkError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
