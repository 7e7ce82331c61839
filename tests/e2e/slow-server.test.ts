// The online verdict has a budget (default 1.5 s): past it the phone decides alone with
// the same scan id, so when the server's late answer and the offline upload both arrive,
// the server holds the scan once.
import { describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ScannerPage } from '../support/pages/scanner-page.ts';
import { eventually, login, serverScans, takeTicket, ticketCode, worldForFile } from './fixtures.ts';

const env = worldForFile();

describe('a slow server', () => {
  test('no answer within the budget: VALID OFFLINE with the same scan id, stored once', async () => {
    const context = await newScanner(env.browser, { onlineBudgetMs: 1500 } /* the app's default */);
    // A congested link: while `held` is set, everything the server sends waits (in order)
    // until the test lets it through. The verdict shown before that can only be the
    // phone's own decision, whatever the machine's speed.
    // Each socket keeps its own queue (a phone that gives up on a silent socket opens a
    // new one, and one socket's messages must never reach another).
    let holding = false;
    const sockets: Array<{ send: (m: string | Buffer) => void; queue: Array<string | Buffer> }> = [];
    await context.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      const socket = { send: (m: string | Buffer) => ws.send(m), queue: [] as Array<string | Buffer> };
      sockets.push(socket);
      server.onMessage((msg) => { if (holding) socket.queue.push(msg); else ws.send(msg); });
    });
    const heldVerdict = () => sockets.some((s) => s.queue.some((m) => typeof m === 'string' && m.includes('"type":"verdict"')));
    const gate = await ScannerPage.open(context, env.w.server.url);
    const l = login('inspector');
    await gate.signInAndChoose(l.username, l.password, 'Main gate');

    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    holding = true;
    const started = Date.now();
    await gate.wedge(code);
    await gate.expectVerdict('valid', { offline: true });
    // The phone waited out its budget (1.5 s) before deciding alone: a lower bound, which
    // a busy machine can only make longer.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    // The server did answer, and that answer had not reached the phone when it decided.
    expect(await eventually(async () => heldVerdict(), (held) => held)).toBe(true);
    await gate.dismissVerdict();

    // The late answer and the queued upload meet on the server: one scan, the phone's id.
    holding = false;
    for (const s of sockets) for (const m of s.queue.splice(0)) s.send(m);
    await gate.waitPending(0);
    const [local] = await gate.historyScanIds();
    const stored = await eventually(() => serverScans(env.w, t.id), (s) => s.length >= 1);
    // Give a second copy every chance to arrive (the upload after the late verdict).
    await gate.page.waitForTimeout(3500);
    expect(await serverScans(env.w, t.id)).toHaveLength(1);
    expect(stored[0].id).toBe(local);
    await context.close();
  });
});
