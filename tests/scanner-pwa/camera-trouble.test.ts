// What each engine throws when the camera cannot be had, and the one trouble an inspector
// is told about. The names are the ones the engines were seen to use: Chromium and Firefox
// say NotFoundError with no camera, WebKit an OverconstrainedError ("Invalid constraint")
// for the same thing; a refusal is NotAllowedError everywhere; a camera held by another app
// is NotReadableError (Chromium, Safari) or AbortError (Firefox, "Starting videoinput failed").
import { describe, expect, it } from 'vitest';
import { cameraTrouble } from '../../scanner-pwa/src/camera/camera-trouble.ts';
import { en } from '../../scanner-pwa/src/lib/i18n/en.ts';
import { nl } from '../../scanner-pwa/src/lib/i18n/nl.ts';

const dom = (name: string, message = 'x') => new DOMException(message, name);
/** WebKit's OverconstrainedError is not a DOMException: a plain object with a name. */
const overconstrained = Object.assign(new Error('Invalid constraint'), { name: 'OverconstrainedError', constraint: '' });

describe('cameraTrouble', () => {
  it('no camera, in every engine\'s words', () => {
    expect(cameraTrouble(dom('NotFoundError', 'Requested device not found'))).toBe('no_camera');
    expect(cameraTrouble(dom('NotFoundError', 'The object can not be found here.'))).toBe('no_camera');
    expect(cameraTrouble(overconstrained)).toBe('no_camera');
  });

  it('permission refused', () => {
    expect(cameraTrouble(dom('NotAllowedError', 'Permission denied'))).toBe('refused');
    expect(cameraTrouble(dom('SecurityError'))).toBe('refused');
  });

  it('camera in use by another app', () => {
    expect(cameraTrouble(dom('NotReadableError', 'Could not start video source'))).toBe('in_use');
    expect(cameraTrouble(dom('AbortError', 'Starting videoinput failed'))).toBe('in_use');
  });

  it('a page that may not use the camera at all (plain http on the LAN: no mediaDevices)', () => {
    expect(cameraTrouble(dom('NotSupportedError'))).toBe('unsupported');
  });

  it('anything else is a failure with its own message, never a crash', () => {
    expect(cameraTrouble(new Error('decode worker crashed'))).toBe('failed');
    expect(cameraTrouble('weird')).toBe('failed');
    expect(cameraTrouble(null)).toBe('failed');
  });

  it('each trouble is worded in English and Dutch, and says what to do next', () => {
    for (const dict of [en, nl]) {
      for (const key of ['cameraNone', 'cameraRefused', 'cameraInUse', 'cameraUnsupported', 'cameraFailed'] as const) {
        // Every sentence ends on the way out: typing or searching a code.
        expect(dict[key], key).toMatch(dict === en ? /type or search/i : /typ of zoek/i);
      }
    }
    expect(en.cameraRefused).toMatch(/allow/i);
    expect(en.cameraInUse).toMatch(/close/i);
  });
});
