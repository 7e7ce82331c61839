// How the console words an error: a request that never reached the server says so in the
// section's own words; anything else gives the section's sentence with the error's message.
import { describe, expect, it } from 'vitest';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { NetworkError } from '../../scanner-pwa/src/lib/api/http-api.ts';
import { sectionErrorText } from '../../scanner-pwa/src/lib/describe-error.ts';
import { en } from '../../scanner-pwa/src/lib/i18n/en.ts';
import { I18n } from '../../scanner-pwa/src/lib/i18n/i18n.svelte.ts';
import { nl } from '../../scanner-pwa/src/lib/i18n/nl.ts';

describe('sectionErrorText', () => {
  it('unreachable: the section\u2019s offline sentence, in the console\u2019s language', () => {
    const e = new NetworkError(new TypeError('Failed to fetch'));
    expect(sectionErrorText(e, new I18n('en'), 'fleetOffline', 'fleetFailed')).toBe(en.fleetOffline);
    expect(sectionErrorText(e, new I18n('nl'), 'settingsOffline', 'settingsFailed')).toBe(nl.settingsOffline);
  });

  it('refused or failed: the section\u2019s sentence with the server\u2019s message in it', () => {
    const text = sectionErrorText(new GkError('forbidden', 'not a supervisor of this event'), new I18n('en'), 'inboxOffline', 'inboxFailed');
    expect(text).toBe('The conflicts could not be loaded: not a supervisor of this event');
  });
});
