// The demo sheet (supervisors): real signed codes of the demo event's tickets and orders as
// QR codes, so a newcomer can try the scanner with a second phone or a printout. A mix is
// chosen: plain tickets, then one of every awkward case (unpaid, ID check, paper, ...).
import type { Ticket } from '@gatekeeper/shared/domain';
import type { EventId, OrderId } from '@gatekeeper/shared/ids';
import type { ManifestIndex } from '../manifest/manifest-index.ts';
import type { Api } from '../ports.ts';

export interface DemoCode {
  id: string;
  title: string;
  subtitle: string;
  /** What the QR code holds: the signed code, or an imported barcode as is. */
  text: string;
  svg: string;
}

const PLAIN_TICKETS = 8;
const ORDERS = 6;

export class DemoCodes {
  #tickets = $state.raw<DemoCode[]>([]);
  #orders = $state.raw<DemoCode[]>([]);
  #status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  #error = $state<string | null>(null);
  readonly #api: Api;

  constructor(api: Api) {
    this.#api = api;
  }

  get tickets() { return this.#tickets; }
  get orders() { return this.#orders; }
  get status() { return this.#status; }
  get error() { return this.#error; }

  async load(eventId: EventId, index: ManifestIndex): Promise<void> {
    this.#status = 'loading';
    try {
      const { default: QRCode } = await import('qrcode');
      const qr = (text: string) => QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
      const all = index.snapshot().rows.map((r) => index.ticket(r[0] as string)).filter((t): t is Ticket => t !== null);
      const chosen = pickTickets(all);
      this.#tickets = await Promise.all(chosen.map(async (t) => {
        // The manifest holds an imported barcode only as a hash: the server prints it.
        const signed = await this.#api.ticketCode(eventId, t.id);
        const text = t.importedCode !== null ? (signed.importedCode ?? signed.code) : signed.code;
        return { id: t.id, title: `${t.type}${t.holderName ? ` \u2014 ${t.holderName}` : ''}`, subtitle: describe(t), text, svg: await qr(text) };
      }));
      const orderIds = [...new Set(all.filter((t) => t.orderId).map((t) => t.orderId as OrderId))]
        .filter((id) => index.orderTickets(id).length > 1).slice(0, ORDERS);
      this.#orders = await Promise.all(orderIds.map(async (id) => {
        const text = (await this.#api.orderCode(eventId, id)).code;
        const items = index.orderTickets(id);
        return { id, title: `${id} \u2014 ${index.order(id)?.buyerName ?? ''}`, subtitle: `${items.length} \u00d7: ${items.map((t) => t.type).join(', ')}`, text, svg: await qr(text) };
      }));
      this.#status = 'ready';
    } catch (e) {
      this.#error = e instanceof Error ? e.message : String(e);
      this.#status = 'error';
    }
  }
}

function pickTickets(all: Ticket[]): Ticket[] {
  const plain = all.filter((t) => t.status === 'paid' && !t.idCheck && t.eTicket && t.kind === 'event' && !t.importedCode).slice(0, PLAIN_TICKETS);
  const special: Array<(t: Ticket) => boolean> = [
    (t) => t.idCheck, (t) => !t.eTicket, (t) => t.kind === 'travel', (t) => t.importedCode !== null, (t) => t.type === 'VIP',
    (t) => t.status === 'unpaid', (t) => t.status === 'canceled', (t) => t.status === 'blocked', (t) => t.status === 'revoked',
  ];
  const picked = new Map(plain.map((t) => [t.id, t]));
  for (const test of special) {
    const t = all.find((x) => test(x) && !picked.has(x.id));
    if (t) picked.set(t.id, t);
  }
  return [...picked.values()];
}

function describe(t: Ticket): string {
  const notes: string[] = [t.id];
  if (t.status !== 'paid') notes.push(t.status);
  if (t.idCheck) notes.push('ID check');
  if (!t.eTicket) notes.push('paper');
  if (t.kind === 'travel') notes.push('travel');
  if (t.importedCode) notes.push('imported barcode');
  if (t.seat) notes.push(t.seat);
  return notes.join(' · ');
}
