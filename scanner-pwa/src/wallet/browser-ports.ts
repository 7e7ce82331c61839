// The wallet's ports in a browser: fetch for the order, localStorage for the kept copy (one
// order, a few kB: IndexedDB would buy nothing here), qrcode for the codes.
import { zWalletReply } from '@gatekeeper/shared/api/wallet';
import { WALLET_DEVICE_HEADER } from '@gatekeeper/shared/api/verification';
import { deviceSecret } from './device-secret.ts';
import { WalletLinkRefused, type SavedOrder, type WalletPorts } from './wallet.svelte.ts';

const KEY = 'gatekeeper.wallet';

export function browserWalletPorts(): WalletPorts {
  return {
    async fetchOrder(token) {
      // With this device's secret: codes come only to a device that has done the performance's steps.
      // Without IndexedDB (a locked-down browser) the order still opens, as a device that has done no step.
      const device = await deviceSecret().catch(() => null);
      const res = await fetch('/api/wallet', { headers: { authorization: `Bearer ${token}`, ...(device ? { [WALLET_DEVICE_HEADER]: device } : {}) }, cache: 'no-store' });
      if (res.status === 401 || res.status === 404) throw new WalletLinkRefused();
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      return zWalletReply.parse(await res.json());
    },
    load() {
      try {
        const raw = localStorage.getItem(KEY);
        if (!raw) return null;
        const saved = JSON.parse(raw) as SavedOrder;
        return { token: String(saved.token), offsetMs: Number(saved.offsetMs) || 0, reply: zWalletReply.parse(saved.reply) };
      } catch {
        return null;
      }
    },
    save(order) {
      try { localStorage.setItem(KEY, JSON.stringify(order)); } catch { /* private mode: this visit only */ }
    },
    now: () => Date.now(),
    async qr(text) {
      const { default: QRCode } = await import('qrcode');
      return QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    },
  };
}

/**
 * The token from the link's fragment, taken off the address at once: the address bar, a
 * screenshot or a shared page then no longer show it (it is kept with the order instead).
 */
export function takeTokenFromAddress(): string | null {
  const token = location.hash.replace(/^#/, '');
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  history.replaceState(null, '', location.pathname);
  return token;
}
