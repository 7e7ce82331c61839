// The only place that reads the environment, opens the database and listens.
import QRCode from 'qrcode';
import { ConfigError, configHelp, describeConfig, loadConfig } from './config.ts';
import { jsonLogger } from './log.ts';
import { DEMO_EVENT, DEMO_LOGINS } from './seed/seed.ts';
import { startServer } from './server.ts';
import { lanAddresses } from './tls.ts';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`Gatekeeper sync server. Settings (environment variables):\n${configHelp()}\n`);
    return;
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`${e.message}\n`); process.exit(2); }
    throw e;
  }
  const log = jsonLogger(config.logLevel);
  log.info('starting', { config: describeConfig(config) });
  const server = await startServer(config, log);

  const lan = config.host === '0.0.0.0' ? lanAddresses() : [];
  const phoneUrl = server.httpsPort !== null && lan[0] ? `https://${lan[0]}:${server.httpsPort}` : null;
  const lines = [
    '',
    '  Gatekeeper is running.',
    `  On this machine:  ${server.url}${server.httpsUrl ? `   (HTTPS: ${server.httpsUrl})` : ''}`,
    ...(phoneUrl ? [`  On a phone (same network; accept the self-signed certificate once):  ${phoneUrl}`] : []),
    `  Database: ${config.dbFile}${server.seeded ? `  (demo event "${DEMO_EVENT}" created)` : ''}`,
    '  Demo logins (username / password):',
    ...DEMO_LOGINS.map((l) => `    ${l.role.padEnd(10)} ${l.username} / ${l.password}`),
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

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
