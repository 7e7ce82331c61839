// The MessageBird adapter sends the request MessageBird documents for one SMS (POST
// /messages, `Authorization: AccessKey <key>`, JSON originator, recipients as MSISDNs, body)
// to an HTTP server the test runs on loopback, and reports a refusal with what the
// provider said and never the key.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageBirdSms } from '../../../sync-server/src/sms/messagebird.ts';

interface Received { method: string; url: string; headers: IncomingMessage['headers']; body: string }

let server: Server;
let endpoint: string;
const received: Received[] = [];
let answer: { status: number; body: unknown } = { status: 201, body: { id: 'a1b2c3', recipients: { totalCount: 1, totalSentCount: 1 } } };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
});
afterAll(async () => { await new Promise((resolve) => server.close(resolve)); });

describe('MessageBird adapter', () => {
  it('sends POST /messages with the access key, the originator, the recipient as an MSISDN and the body', async () => {
    const sms = messageBirdSms({ accessKey: 'live_Abc123', originator: 'Festival', endpoint });
    await sms.send({ to: '+31612345678', body: '123456 is your ticket code' });
    expect(received).toHaveLength(1);
    const [r] = received;
    expect([r!.method, r!.url]).toEqual(['POST', '/messages']);
    expect(r!.headers.authorization).toBe('AccessKey live_Abc123');
    expect(r!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r!.body)).toEqual({ originator: 'Festival', recipients: [31612345678], body: '123456 is your ticket code' });
  });

  it('a refusal throws with what MessageBird said, and without the key', async () => {
    answer = { status: 422, body: { errors: [{ code: 9, description: 'no (correct) recipients found', parameter: 'recipients' }] } };
    const sms = messageBirdSms({ accessKey: 'live_Secret', originator: 'Festival', endpoint });
    const error = await sms.send({ to: '+31600000000', body: 'x' }).then(() => null, (e: Error) => e);
    expect(error?.message).toBe('MessageBird refused the SMS (422): no (correct) recipients found');
    expect(error?.message).not.toContain('live_Secret');
  });

  it('a number without its country code is never sent: as an MSISDN it would name another number', async () => {
    answer = { status: 201, body: { id: 'x' } };
    const sms = messageBirdSms({ accessKey: 'live_Abc123', originator: 'Festival', endpoint });
    const before = received.length;
    for (const to of ['0612345678', '612345678']) {
      await expect(sms.send({ to, body: 'x' })).rejects.toThrow(/country code/);
    }
    expect(received.length).toBe(before);
  });

  it('refuses to start without an access key', () => {
    expect(() => messageBirdSms({ accessKey: '', originator: 'Festival', endpoint })).toThrow(/GK_SMS_ACCESS_KEY/);
  });
});
