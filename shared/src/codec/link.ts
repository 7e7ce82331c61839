// Link form: a code wrapped in a URL to the server's validation page, so an inspector
// with only the phone's camera app lands on a verdict. Canonical: https://HOST/v/<code>;
// also read: ?c=<code> and #<code>, any host, percent-encoded or not. The in-app scanner
// reads the code out of the URL and never navigates.
//
// Only our own codes (GK + version digit) are taken out of a URL. Other systems print
// URLs as barcodes too, and those are matched whole against the manifest's imported codes.
import { MAX_SCAN_TEXT_LENGTH, isOurCode } from './format.ts';

const URL_START = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const LINK_PATH = /\/v\/([^/]+)\/?$/i;

/**
 * The code in scanned text: whitespace trimmed (keyboard-wedge scanners end with CR/LF),
 * and unwrapped from a link when the link holds one of our codes. Never throws.
 */
export function extractCode(text: string): string {
  if (typeof text !== 'string') return '';
  // Too long to be a code or a link; decodeCode refuses it on length, so spend nothing.
  if (text.length > MAX_SCAN_TEXT_LENGTH) return text;
  const trimmed = text.trim();
  // Most scans are bare codes: no "://", no URL, and no regular expression run over them.
  if (!trimmed.includes('://') || !URL_START.test(trimmed)) return trimmed;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return trimmed;
  }
  const path = LINK_PATH.exec(url.pathname)?.[1];
  const hash = url.hash.slice(1);
  const candidates = [
    path,
    url.searchParams.get('c'),
    hash.startsWith('c=') ? new URLSearchParams(hash).get('c') : hash,
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const code = percentDecode(candidate).trim();
    if (isOurCode(code)) return code;
  }
  return trimmed;
}

/** https://HOST/v/<code>; baseUrl may carry a path ("https://host/gate/"). */
export function toLink(baseUrl: string, code: string): string {
  if (!isOurCode(code)) throw new RangeError('only Gatekeeper codes (GK…) have a link form; imported codes are matched whole');
  return `${baseUrl.replace(/\/+$/, '')}/v/${encodeURIComponent(code)}`;
}

/** Pathname and hash keep their %xx escapes; searchParams has already decoded. */
function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
