// The only place that reads the environment, opens the database and listens.
import QRCode from 'qrcode';
import { ConfigError, configHelp, describeConfig, loadConfig } from './config.ts';
import { jsonLogger } from './log.ts';
import { DEMO_EVENT, type DEMO_LOGINS } from './seed/seed.ts';
import { startServer } from './server.ts';
import { lanAddresses } from './tls.ts';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`Gatekeeper sync server. Settings (environment variables):\n${configHelp()}\n`);
    return;
  }
  let config;
  try {
    // `--demo` (npm start) or GK_DEMO=true: the demo is asked for, never a default.
    config = loadConfig(process.env, process.argv.includes('--demo') ? { demo: true } : {});
  } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`${e.message}\n`); process.exit(2); }
    throw e;
  }
  const log = jsonLogger(config.logLevel);
  log.info('starting', { config: describeConfig(config) });
  let server;
  try {
    server = await startServer(config, log);
  } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`${e.message}\n`); process.exit(2); }
    throw e;
  }

  const lan = config.host === '0.0.0.0' ? lanAddresses() : [];
  const phoneUrl = server.httpsPort !== null && lan[0] ? `https://${lan[0]}:${server.httpsPort}` : null;
  const lines = [
    '',
    '  Gatekeeper is running.',
    `  On this machine:  ${server.url}${server.httpsUrl ? `   (HTTPS: ${server.httpsUrl})` : ''}`,
    ...(phoneUrl ? [`  On a phone (same network; accept the self-signed certificate once):  ${phoneUrl}`] : []),
    `  Database: ${config.databaseUrl ? 'PostgreSQL (GK_DATABASE_URL)' : config.dbFile}${server.seeded ? `  (demo event "${DEMO_EVENT}" created)` : ''}`,
    ...loginLines(config.demo, server.publicLogins),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (phoneUrl) process.stdout.write(await QRCode.toString(phoneUrl, { type: 'terminal', small: true }) + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** What the terminal says about logins: the published ones only in demo mode, and always that they are public. */
function loginLines(demo: boolean, published: ReadonlyArray<(typeof DEMO_LOGINS)[number]>): string[] {
  if (demo && published.length) {
    return [
      '  DEMO MODE: these logins are public (they are in the README). Do not use this server for a real event;',
      '  for one, start with `npm run serve` and create an admin with `npm run cli -- create-admin`.',
      '  Demo logins (username / password):',
      ...published.map((l) => `    ${l.role.padEnd(10)} ${l.username} / ${l.password}`),
    ];
  }
  if (demo) return ['  Demo mode (the demo logins no longer have their published passwords).'];
  if (published.length) {
    return [`  Serving on loopback only: ${published.map((l) => l.username).join(', ')} still have the published demo passwords; change them (npm run cli -- set-password --username <name>).`];
  }
  return [];
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
