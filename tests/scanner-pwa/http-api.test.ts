// The app parses every HTTP answer with the server's own schemas (shared/src/api/): an
// answer of another shape is an error where it arrives, not an undefined deep in a screen.
import { describe, expect, it } from 'vitest';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { HttpApi } from '../../scanner-pwa/src/lib/api/http-api.ts';

/** An Api whose every request is answered with `body` (status 200 unless given). */
const answering = (body: unknown, status = 200) => new HttpApi('', async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));

describe('HttpApi parses answers with the shared reply schemas', () => {
  const session = { inspector: { id: 'i-ada', name: 'Ada', role: 'inspector' }, events: [] };

  it('takes a session reply as it is', async () => {
    await expect(answering(session).me()).resolves.toEqual(session);
  });

  it('refuses a session reply with a role it does not know, or without its events', async () => {
    await expect(answering({ ...session, inspector: { ...session.inspector, role: 'janitor' } }).me()).rejects.toThrow();
    await expect(answering({ inspector: session.inspector }).login('ada', 'pw')).rejects.toThrow();
  });

  it('refuses a registration without its secret: the phone could never prove itself', async () => {
    await expect(answering({ device: { id: 'd-1', name: 'phone' } }).registerDevice('phone')).rejects.toThrow();
    await expect(answering({ device: { id: 'd-1', name: 'phone', secret: 's3cret' } }).registerDevice('phone')).resolves.toEqual({ id: 'd-1', name: 'phone', secret: 's3cret' });
  });

  it('reads a ticket code with its imported barcode and an order code without one', async () => {
    await expect(answering({ code: 'GK1T…', link: 'https://x/v/GK1T…', importedCode: null }).ticketCode('ev' as never, 'T1' as never)).resolves.toMatchObject({ importedCode: null });
    await expect(answering({ code: 'GK1O…', link: 'https://x/v/GK1O…' }).orderCode('ev' as never, 'O1' as never)).resolves.toEqual({ code: 'GK1O…', link: 'https://x/v/GK1O…' });
    await expect(answering({ code: 'GK1T…', link: 'https://x/v/GK1T…' }).ticketCode('ev' as never, 'T1' as never)).rejects.toThrow();
  });

  it('still turns the one error body into a GkError', async () => {
    const e = await answering({ error: { code: 'forbidden', message: 'no' } }, 403).me().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GkError);
    expect((e as GkError).code).toBe('forbidden');
  });
});
