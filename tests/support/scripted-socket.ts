// The app's Socket port with no server behind it: the test opens it and hands it the
// server's messages itself, and reads what the app sent. For sync-client logic that needs
// a situation a real server makes hard to arrange (two events on one phone, a message at
// an exact moment).
import type { Socket, SocketConnection, SocketHandlers } from '../../scanner-pwa/src/lib/ports.ts';

export class ScriptedSocket implements Socket {
  readonly encodings: readonly string[] = [];
  readonly sent: string[] = [];
  #handlers: SocketHandlers | null = null;

  connect(_url: string, handlers: SocketHandlers): SocketConnection {
    this.#handlers = handlers;
    return { send: (text) => { this.sent.push(text); }, close: () => { this.#handlers = null; } };
  }

  /** The connection the app asked for opens. */
  open(): void { this.#handlers?.open(); }
  /** A message from the "server". */
  deliver(msg: unknown): void { this.#handlers?.message(JSON.stringify(msg)); }
  get connected(): boolean { return this.#handlers !== null; }
  sentTypes(): string[] { return this.sent.map((t) => (JSON.parse(t) as { type: string }).type); }
}
