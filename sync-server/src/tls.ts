// HTTPS for phones: the camera and the service worker need a secure context, and a
// venue's LAN has no public hostname to get a real certificate for. So: a certificate
// from config, or a self-signed one made once and kept in the data folder (inspectors
// accept it once per phone; keeping it means they are not asked again after a restart).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';

/** Non-internal IPv4 addresses of this machine: what a phone on the LAN can reach. */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces()).flat()
    .filter((i): i is NonNullable<typeof i> => !!i && i.family === 'IPv4' && !i.internal)
    .map((i) => i.address);
}

export async function loadTlsCredentials(config: Config, log: Logger): Promise<{ key: string; cert: string }> {
  if (config.tlsCert && config.tlsKey) {
    return { key: readFileSync(config.tlsKey, 'utf8'), cert: readFileSync(config.tlsCert, 'utf8') };
  }
  const dir = join(config.dataDir, 'tls');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  if (existsSync(keyFile) && existsSync(certFile)) {
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  }
  const altNames = [
    { type: 2 as const, value: 'localhost' },
    { type: 7 as const, ip: '127.0.0.1' },
    ...lanAddresses().map((ip) => ({ type: 7 as const, ip })),
  ];
  const pems = await generate([{ name: 'commonName', value: 'Gatekeeper venue server' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 2 * 365 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert);
  log.info('made a self-signed certificate', { file: certFile, fingerprint: pems.fingerprint });
  return { key: pems.private, cert: pems.cert };
}
