// Ticket rows as columns of typed arrays, their text in one StringPool: 100,000 tickets are
// a dozen arrays and one long string rather than 100,000 arrays and half a million strings.
// Phones run major collections over everything held in memory; a heap of few objects makes
// each of them short (the verdict's frame has 16 ms, a mark-compact over the row arrays took
// two frames). A row is rebuilt as an array only when a ticket is looked up.
import { TICKET_COLUMNS } from '@gatekeeper/shared/manifest';
import { NO_STRING, StringPool, type StringRef } from './string-pool.ts';
import { COL, type TicketRow } from './ticket-rows.ts';

/** How each column is kept: its own text, one of a few words, a flag, a time or null. */
type Kind = 'text' | 'word' | 'flag' | 'time';

const KIND: Record<keyof typeof COL, Kind> = {
  id: 'text', orderId: 'text', type: 'word', holderName: 'text', seat: 'text', kind: 'word', eTicket: 'flag', status: 'word',
  validFrom: 'time', validUntil: 'time', idCheck: 'flag', importedCodeHash: 'text',
};
const KINDS: readonly Kind[] = TICKET_COLUMNS.map((c) => KIND[c]);

type Column = Int32Array | Float64Array | Uint8Array;

function column(kind: Kind, capacity: number): Column {
  return kind === 'time' ? new Float64Array(capacity) : kind === 'flag' ? new Uint8Array(capacity) : new Int32Array(capacity);
}

export class TicketTable {
  readonly pool = new StringPool();
  #columns: Column[] = KINDS.map((k) => column(k, 1024));
  /** Ticket types, kinds, statuses: a handful of words shared by every row. */
  #words: (string | null)[] = [];
  #wordIds = new Map<string | null, number>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** A new row at the end; returns its position. */
  push(row: TicketRow): number {
    if (this.#size === this.#columns[0].length) this.#grow();
    this.set(this.#size, row);
    return this.#size++;
  }

  /** Write `row` at position `pos` (a new row, or one replacing it). */
  set(pos: number, row: TicketRow): void {
    for (let c = 0; c < KINDS.length; c++) {
      const v = row[c];
      const col = this.#columns[c];
      switch (KINDS[c]) {
        case 'text': col[pos] = this.pool.addOrNull(v as string | null); break;
        case 'word': col[pos] = this.#word(v as string | null); break;
        case 'flag': col[pos] = v ? 1 : 0; break;
        case 'time': col[pos] = v === null ? Number.NaN : (v as number); break;
      }
    }
  }

  /** Call after a batch of push/set: the batch's text joins the pool's one string. */
  seal(): void {
    this.pool.seal();
  }

  /** The row at `pos`, as the manifest carried it. */
  row(pos: number): TicketRow {
    const out: unknown[] = new Array(KINDS.length);
    for (let c = 0; c < KINDS.length; c++) {
      const v = this.#columns[c][pos];
      switch (KINDS[c]) {
        case 'text': out[c] = this.pool.getOrNull(v); break;
        case 'word': out[c] = this.#words[v]; break;
        case 'flag': out[c] = v === 1; break;
        case 'time': out[c] = Number.isNaN(v) ? null : v; break;
      }
    }
    return out;
  }

  /** The pool reference of a text column's value at `pos` (NO_STRING for null). */
  ref(pos: number, c: (typeof COL)[keyof typeof COL]): StringRef {
    return KINDS[c] === 'text' ? this.#columns[c][pos] : NO_STRING;
  }

  /** A text column's value at `pos`. */
  text(pos: number, c: (typeof COL)[keyof typeof COL]): string | null {
    return this.pool.getOrNull(this.ref(pos, c));
  }

  #word(w: string | null): number {
    let id = this.#wordIds.get(w);
    if (id === undefined) {
      id = this.#words.push(w) - 1;
      this.#wordIds.set(w, id);
    }
    return id;
  }

  #grow(): void {
    this.#columns = this.#columns.map((old, c) => {
      const grown = column(KINDS[c], old.length * 2);
      grown.set(old);
      return grown;
    });
  }
}
