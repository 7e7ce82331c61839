// A demo ticket set that looks like a real sale: orders of one to four, mostly adults,
// some named and seated tickets, and a few of every awkward case an inspector meets
// (unpaid, canceled, blocked, revoked, ID check, paper ticket, travel, foreign barcode),
// so every verdict can be shown without editing data. Deterministic: the same arguments
// give the same tickets, so a demo, a test and a benchmark all see the same set.
import type { Order, Ticket } from '@gatekeeper/shared/domain';
import type { EventId, OrderId, TicketId } from '@gatekeeper/shared/ids';

export interface DemoSet { orders: Order[]; tickets: Ticket[] }

const FIRST = ['Sanne', 'Daan', 'Emma', 'Lucas', 'Julia', 'Sem', 'Tess', 'Noah', 'Fleur', 'Milan', 'Anouk', 'Finn',
  'Lotte', 'Jesse', 'Sophie', 'Thijs', 'Yara', 'Bram', 'Amira', 'Mohamed', 'Priya', 'Chen', 'Olga', 'Kofi'];
const LAST = ['de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos',
  'Vos', 'Peters', 'Hendriks', 'van Dijk', 'El Amrani', 'Yilmaz', 'Kowalski', 'Okafor', 'Nguyen', 'Sharma'];
const TYPES = [['Adult', 60], ['Child', 20], ['Senior', 12], ['VIP', 8]] as const;
const ROWS = 'ABCDEFGHJKLMNOPQRS'; // no I: it reads as 1 on a printed ticket

/**
 * `count` tickets of `eventId` in orders of 1–4. Special cases go to distinct tickets at
 * about these shares (at least one each once count reaches 20): unpaid 3%, canceled 2%,
 * blocked 1%, revoked 1%, ID check 3%, paper 3%, imported barcode 3%, travel 2 tickets.
 */
export function demoTickets(eventId: EventId, count: number, seed = 20250601): DemoSet {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)];
  const person = () => `${pick(FIRST)} ${pick(LAST)}`;

  const orders: Order[] = [];
  const tickets: Ticket[] = [];
  let seatRow = 0;
  let seatNo = 1;
  while (tickets.length < count) {
    const size = Math.min(count - tickets.length, 1 + int(4));
    const buyer = person();
    const orderId = `O${pad(orders.length + 1)}` as OrderId;
    orders.push({ id: orderId, eventId, buyerName: buyer, email: emailOf(buyer, orders.length) });
    // Seated orders sit together, in the next free seats of the block.
    const seated = random() < 0.3;
    if (seated && seatNo + size > 25) { seatRow = (seatRow + 1) % ROWS.length; seatNo = 1; }
    for (let k = 0; k < size; k++) {
      const type = weighted(TYPES, random);
      tickets.push({
        id: `T${pad(tickets.length + 1)}` as TicketId,
        eventId,
        orderId,
        type,
        holderName: k === 0 && random() < 0.3 ? buyer : random() < 0.25 || type === 'VIP' ? person() : null,
        seat: seated ? `Row ${ROWS[seatRow]}, seat ${seatNo++}` : null,
        kind: 'event',
        eTicket: true,
        status: 'paid',
        validFrom: null,
        validUntil: null,
        idCheck: false,
        importedCode: null,
      });
    }
  }

  // Hand the awkward cases to distinct tickets, so each one shows exactly one verdict.
  const order = shuffle(tickets.map((_, k) => k), int);
  let next = 0;
  const few = (share: number, min = 1) => {
    const n = Math.min(count >= 20 ? Math.max(min, Math.round(count * share)) : 0, order.length - next);
    const chosen = order.slice(next, next + n).map((k) => tickets[k]);
    next += n;
    return chosen;
  };
  for (const t of few(0.03)) t.status = 'unpaid';
  for (const t of few(0.02)) t.status = 'canceled';
  for (const t of few(0.01)) t.status = 'blocked';
  for (const t of few(0.01)) t.status = 'revoked';
  for (const t of few(0.03)) {
    t.idCheck = true;
    t.holderName ??= person(); // a personalised ticket names whose ID to check
  }
  for (const t of few(0.03)) t.eTicket = false;
  for (const t of few(0, 2)) t.kind = 'travel';
  for (const t of few(0.03)) t.importedCode = `EAN-${ean13(int)}`;
  return { orders, tickets };
}

/** A small seeded generator (a Weyl sequence through a 32-bit mixer): uniform in [0, 1). */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 2 ** 32;
  };
}

function weighted<T>(table: ReadonlyArray<readonly [T, number]>, random: () => number): T {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, w] of table) if ((r -= w) < 0) return value;
  return table[table.length - 1][0];
}

function shuffle<T>(list: T[], int: (n: number) => number): T[] {
  for (let k = list.length - 1; k > 0; k--) {
    const j = int(k + 1);
    [list[k], list[j]] = [list[j], list[k]];
  }
  return list;
}

/** Twelve digits and the EAN-13 check digit, so the code is one a real scanner accepts. */
function ean13(int: (n: number) => number): string {
  const digits = [4, 0, ...Array.from({ length: 10 }, () => int(10))];
  const sum = digits.reduce((s, d, k) => s + d * (k % 2 === 0 ? 1 : 3), 0);
  return digits.join('') + ((10 - (sum % 10)) % 10);
}

// example.com and friends are reserved for documentation: demo mail goes nowhere.
function emailOf(name: string, n: number): string {
  const local = name.toLowerCase().normalize('NFD').replace(/[^a-z ]/g, '').trim().replace(/\s+/g, '.');
  return `${local}${n}@example.${['com', 'org', 'net'][n % 3]}`;
}

const pad = (n: number): string => String(n).padStart(5, '0');
