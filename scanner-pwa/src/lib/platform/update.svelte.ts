// App updates through the service worker (workbox-window). A new version is offered, never
// forced: it takes over only when the inspector taps "Update now" and no scan waits to
// upload, because the page reloads when it does — never mid-queue.
import { Workbox } from 'workbox-window';

export const UPDATE_CHECK_MS = 30 * 60_000;

export class UpdateState {
  #available = $state(false);
  #wb: Workbox | null = null;
  readonly #pending: () => number;

  constructor(pending: () => number) {
    this.#pending = pending;
  }

  get available() { return this.#available; }
  /** An update is waiting but scans are not uploaded yet. */
  get blocked(): boolean { return this.#available && this.#pending() > 0; }

  register(url = '/sw.js'): void {
    if (!('serviceWorker' in navigator)) return;
    const wb = new Workbox(url);
    wb.addEventListener('waiting', () => { this.#available = true; });
    this.#wb = wb;
    void wb.register().catch((e) => console.warn('service worker registration failed', e));
    // Phones stay on the scan screen for hours: look for a new version now and then.
    setInterval(() => { if (navigator.onLine) void wb.update().catch(() => {}); }, UPDATE_CHECK_MS);
  }

  /** Apply the waiting version; false (nothing happens) while scans wait to upload. */
  apply(): boolean {
    const wb = this.#wb;
    if (!wb || !this.#available || this.#pending() > 0) return false;
    wb.addEventListener('controlling', () => location.reload());
    wb.messageSkipWaiting();
    return true;
  }
}
