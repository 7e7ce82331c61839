// The wallet's words, English and Dutch. Dutch is typed against English, so a key missing
// from either fails the typecheck. `{name}` marks a parameter (i18n.svelte.ts's format).
export const walletEn = {
  title: 'Your tickets',
  loading: 'Opening your tickets\u2026',
  noLink: 'Open the link in your order mail to see your tickets here.',
  badLink: 'This link does not open any tickets (any more). Open the link in your latest order mail.',
  offlineFirst: 'No network: open the link again once you are online. After that, your tickets stay on this phone.',
  failed: 'Your tickets could not be loaded: {error}',
  offlineCopy: 'Offline: this is the copy kept on this phone.',
  codeComesAt: 'Your code appears here {when}.',
  codeIn: 'in',
  codeSoon: 'Your code is on its way: keep this page open while online.',
  codeNoStart: 'Your code appears here shortly before the event starts.',
  showAtGate: 'Show this code at the gate.',
  seat: 'Seat',
  type: 'Ticket',
  name: 'Name',
  order: 'Order',
  noTickets: 'This order has no valid tickets.',
  install: 'Tip: add this page to your home screen to open your tickets without a network.',
  language: 'Language',
} as const;

export type WalletMessageKey = keyof typeof walletEn;

export const walletNl: Record<WalletMessageKey, string> = {
  title: 'Je tickets',
  loading: 'Je tickets worden geopend\u2026',
  noLink: 'Open de link in je bestelmail om je tickets hier te zien.',
  badLink: 'Deze link opent geen tickets (meer). Open de link in je laatste bestelmail.',
  offlineFirst: 'Geen netwerk: open de link opnieuw zodra je online bent. Daarna blijven je tickets op deze telefoon.',
  failed: 'Je tickets konden niet worden geladen: {error}',
  offlineCopy: 'Offline: dit is de kopie op deze telefoon.',
  codeComesAt: 'Je code verschijnt hier {when}.',
  codeIn: 'over',
  codeSoon: 'Je code komt eraan: houd deze pagina open met netwerk.',
  codeNoStart: 'Je code verschijnt hier kort voor de aanvang.',
  showAtGate: 'Laat deze code zien bij de ingang.',
  seat: 'Plaats',
  type: 'Ticket',
  name: 'Naam',
  order: 'Bestelling',
  noTickets: 'Deze bestelling heeft geen geldige tickets.',
  install: 'Tip: zet deze pagina op je beginscherm om je tickets zonder netwerk te openen.',
  language: 'Taal',
};
