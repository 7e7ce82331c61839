// One small interface over the browsers an inspector's phone may have, so that the same
// scenario runs in WebKit (iPhone) and Gecko (Firefox on Android) as written. Chromium's
// tests keep playwright-core (tests/support/browser.ts): these engines need their own
// drivers, since Playwright drives only its own patched builds of them.

/** A CSS selector, or an XPath expression when it starts with `//`. */
export type Selector = string;

export type EngineName = 'webkit' | 'firefox';

/** One phone: its own storage, service worker and camera, as a second phone would have. */
export interface Phone {
  readonly engine: EngineName;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** A real click (the driver's pointer), on the first match once it is there. */
  click(selector: Selector): Promise<void>;
  /** Clear the field, then type into it with real key events. */
  type(selector: Selector, text: string): Promise<void>;
  /** The trimmed visible text of the first match. */
  text(selector: Selector): Promise<string>;
  attribute(selector: Selector, name: string): Promise<string | null>;
  count(selector: Selector): Promise<number>;
  /** Wait until a match is there (and displayed). */
  waitFor(selector: Selector, timeoutMs?: number): Promise<void>;
  /** Run a function in the page; arguments and result cross as JSON. */
  evaluate<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<R>;
  /** The viewport as a PNG file. */
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

/** A browser engine for one test file: phones come and go, the engine is shut at the end. */
export interface Engine {
  readonly name: EngineName;
  /** A fresh phone with a phone's viewport: an iPhone's in WebKit, PHONE_VIEWPORT elsewhere. */
  newPhone(): Promise<Phone>;
  close(): Promise<void>;
}

/** The phone the app is designed for, as in the Chromium tests (an Android phone's size). */
export { PHONE_VIEWPORT } from '../browser.ts';

/**
 * Starting a browser, each engine's own limit: Firefox took 20–35 s at a load of 20 on
 * this 2-core machine, over 120 s at a load of 27 beside two other browser files.
 */
export const ENGINE_START_MS = 180_000;

/** The phones' clock zone, as in the Chromium tests: the demo event's. */
export const TIME_ZONE = 'Europe/Amsterdam';

export const isXPath = (selector: Selector): boolean => selector.startsWith('//');
