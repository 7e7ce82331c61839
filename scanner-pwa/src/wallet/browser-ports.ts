// The wallet's ports in a browser: fetch for the order and the binding, localStorage for
// the kept copy (one order and its certificates, a few kB), IndexedDB for the device key
// (device-key.ts: a CryptoKey cannot live in localStorage), qrcode for the codes.
import { z } from 'zod';
import { zBindDeviceReply } from '@gatekeeper/shared/api/certificates';
import { zWalletReply } from '@gatekeeper/shared/api/wallet';
import { zErrorBody } from '@gatekeeper/shared/protocol/errors';
import { browserDeviceKey } from './device-key.ts';
import type { Binding } from './rotating-codes.ts';
import { BindRefused, WalletLinkRefused, type SavedOrder, type WalletPorts } from './wallet.svelte.ts';

const KEY = 'gatekeeper.wallet';
const zBinding = zBindDeviceReply.pick({ certificates: true }).extend({ publicKey: z.string() }) satisfies z.ZodType<Binding>;

export function browserWalletPorts(): WalletPorts {
  // Asked for at once, not with the first code: it loads while the key is read and the first code signed.
  const qrcode = import('qrcode');
  return {
    async fetchOrder(token) {
      const res = await fetch('/api/wallet', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
      if (res.status === 401 || res.status === 404) throw new WalletLinkRefused();
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      return zWalletReply.parse(await res.json());
    },
    async bindDevice(token, publicKey) {
      const res = await fetch('/api/wallet/device', {
        method: 'POST', cache: 'no-store', body: JSON.stringify({ publicKey }),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      if (res.status === 401 || res.status === 404) throw new WalletLinkRefused();
      if (res.status === 403) throw new BindRefused(zErrorBody.safeParse(await res.json().catch(() => null)).data?.error.message ?? 'not now');
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      return zBindDeviceReply.parse(await res.json());
    },
    deviceKey: browserDeviceKey,
    load() {
      try {
        const raw = localStorage.getItem(KEY);
        if (!raw) return null;
        const saved = JSON.parse(raw) as SavedOrder;
        const binding = saved.binding ? zBinding.parse(saved.binding) : undefined;
        return { token: String(saved.token), offsetMs: Number(saved.offsetMs) || 0, reply: zWalletReply.parse(saved.reply), ...(binding ? { binding } : {}) };
      } catch {
        return null;
      }
    },
    save(order) {
      try { localStorage.setItem(KEY, JSON.stringify(order)); } catch { /* private mode: this visit only */ }
    },
    now: () => Date.now(),
    async qr(text) {
      const { default: QRCode } = await qrcode;
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
