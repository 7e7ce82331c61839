// The holder's wallet: a second entry of the scanner app's build (wallet.html, served at
// /wallet), with its own web manifest. The service worker is the scanner app's (one per
// origin): it precaches this page too, so an installed wallet opens without a network.
import { mount } from 'svelte';
import { Workbox } from 'workbox-window';
import { pickLanguage, savedLanguage } from '../lib/i18n/i18n.svelte.ts';
import { browserWalletPorts, takeTokenFromAddress } from './browser-ports.ts';
import { Wallet } from './wallet.svelte.ts';
import { WalletVerify } from './verification.svelte.ts';
import { browserVerifyPorts, takeVerifyFromAddress } from './verification-ports.ts';
import { WalletI18n } from './wallet-i18n.svelte.ts';
import WalletScreen from './WalletScreen.svelte';
import '../app.css';

const lang = savedLanguage() ?? pickLanguage(navigator.languages ?? [navigator.language]);
document.documentElement.lang = lang;
const wallet = new Wallet(browserWalletPorts());
const i18n = new WalletI18n(lang);
// Steps done on this phone: the holder means the tickets to show here, so it binds again even
// where another phone held them (a step switched on withdrew the codes made before it).
const verify = new WalletVerify(browserVerifyPorts(), () => wallet.rebind());
mount(WalletScreen, { target: document.getElementById('app')!, props: { wallet, i18n, verify } });
const mailed = takeVerifyFromAddress();
void wallet.open(takeTokenFromAddress()).then(async () => {
  if (!wallet.token) return;
  // A mailed link opened here: confirm this device with it (the wallet's kept token says which order).
  if (mailed) await verify.confirmMail(wallet.token, mailed);
  await verify.load(wallet.token);
});
setInterval(() => wallet.tick(), 1000);
// Back online or back to the page: the codes may be due, or the order changed.
addEventListener('online', () => void wallet.refresh());
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') void wallet.refresh(); });
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  void new Workbox('/sw.js').register().catch((e: unknown) => console.warn('service worker registration failed', e));
}
