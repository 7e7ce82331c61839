// An HTTP request from a chosen loopback address (127.0.0.0/8 is all loopback on Linux):
// lets a test on one machine be many clients as the server's per-address limits see them.
import { request } from 'node:http';

export interface FromResponse { status: number; headers: Record<string, string | string[] | undefined>; json: any }

export function postFrom(base: string, path: string, body: unknown, localAddress = '127.0.0.1', cookie?: string): Promise<FromResponse> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), {
      method: 'POST', localAddress, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...(cookie ? { cookie } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: any = null;
        try { json = text ? JSON.parse(text) : null; } catch { json = text; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}
