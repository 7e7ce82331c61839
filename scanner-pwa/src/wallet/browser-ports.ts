// The wallet's ports in a browser: fetch for the order and the binding, localStorage for
// the kept copy (one order and its certificates, a few kB), IndexedDB for the device key
// (device-key.ts: a CryptoKey cannot live in localStorage), qrcode for the codes.
import { z } from 'zod';
import { zBindDeviceReply } from '@gatekeeper/shared/api/certificates';
import { zWalletReply } from '@gatekeeper/shared/api/wallet';
import { WALLET_DEVICE_HEADER } from '@gatekeeper/shared/api/verification';
import { deviceSecret } from './device-secret.ts';
import { zErrorBody } from '@gatekeeper/shared/protocol/errors';
import { browserDeviceKey } from './device-key.ts';
import type { Binding } from './rotating-codes.ts';
import { BindRefused, WalletLinkRefused, type SavedOrder, type WalletPorts } from './wallet.svelte.ts';

const KEY = 'gatekeeper.wallet';

/** The token, and this device's secret (device-secret.ts); without IndexedDB, a device that has done no step. */
async function holderHeaders(token: string): Promise<Record<string, string>> {
  const device = await deviceSecret().catch(() => null);
  return { authorization: `Bearer ${token}`, ...(device ? { [WALLET_DEVICE_HEADER]: device } : {}) };
}
const zBinding = zBindDeviceReply.pick({ certificates: true }).extend({ publicKey: z.string() }) satisfies z.ZodType<Binding>;

export function browserWalletPorts(): WalletPorts {
  // Asked for at once, not with the first code: it loads while the key is read and the first code signed.
  const qrcode = import('qrcode');
  return {
    async fetchOrder(token) {
      const res = await fetch('/api/wallet', { headers: await holderHeaders(token), cache: 'no-store' });
      if (res.status === 401 || res.status === 404) throw new WalletLinkRefused();
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      return zWalletReply.parse(await res.json());
    },
    async bindDevice(token, publicKey) {
      const res = await fetch('/api/wallet/device', {
        method: 'POST', cache: 'no-store', body: JSON.stringify({ publicKey }),
        // With this device's secret: the server binds only a device that has done the performance's steps.
        headers: { ...await holderHeaders(token), 'content-type': 'application/json' },
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
