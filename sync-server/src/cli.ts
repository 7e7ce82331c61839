// The organiser's command line: `tsx sync-server/src/cli.ts import --event <id> <file>`,
// `create-admin`, `set-password` and `send-order-mails`. The logic is runCli, which takes its arguments,
// output, environment and password reader as parameters so tests call it in-process;
// only the last lines touch process.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { eventId as parseEventId, inspectorId, newId, type EventId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/errors';
import { hashPassword } from './auth/passwords.ts';
import { checkNewPassword } from './auth/password-policy.ts';
import { readNewPassword } from './cli-secret.ts';
import { ConfigError, loadConfig } from './config.ts';
import { importTickets } from './import/run.ts';
import { CSV_COLUMN_NAMES, MAX_IMPORT_BYTES, type ImportError, type ImportFormat } from './import/tickets.ts';
import { jsonLogger } from './log.ts';
import { mailerFor } from './mail/mailer.ts';
import { openPostgresStorage } from './storage/postgres/index.ts';
import { openSqliteStorage } from './storage/sqlite/index.ts';
import { OrderMails } from './wallet/order-mails.ts';
import type { ImportMapping, Storage } from './storage/types.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** A new password for `what`: a prompt without echo at a terminal, else stdin; never argv. */
  readPassword?(what: string): Promise<string>;
}

const USAGE = `Usage: tsx sync-server/src/cli.ts import --event <eventId> [--mapping <name>] [--db <file>] <file.csv|file.json>
       (or: npm run import -- --event <eventId> <file>)
       tsx sync-server/src/cli.ts create-admin --username <name> [--name <full name>] [--db <file>]
       tsx sync-server/src/cli.ts set-password --username <name> [--db <file>]
       tsx sync-server/src/cli.ts send-order-mails --event <eventId> [--again] [--db <file>]
       (or: npm run cli -- create-admin --username <name>)

create-admin makes an admin account (the first one, on a production server: npm run serve
seeds none). set-password sets anyone's password and ends their sessions (sockets still
open on a running server end when they next reconnect). Both read the password from a
prompt that does not echo, or from the first line of stdin; never from the command line.
A password has at least 10 characters and is none of the demo's published ones.

send-order-mails mails every order of the event that has an address its holder's wallet
link, through GK_SMTP_HOST (or, without it, into the outbox admins read). Orders mailed
before are skipped; --again mails them a new link (the old one stops opening). Links
start with GK_PUBLIC_URL, which must be set: the CLI cannot tell the server's address.

Imports tickets into an existing event: every row or, if any row is wrong, none.

  --event, -e <id>  the event to import into
  --mapping, -m <name>
                    rename the CSV's columns with a column mapping saved in the console
                    for this event (its name, or its id)
  --db <file>       SQLite database (default: PostgreSQL if $GK_DATABASE_URL is set, else
                    $GK_DB_FILE, else <$GK_DATA_DIR>/gatekeeper.sqlite, else ./data/gatekeeper.sqlite)
  --help, -h        show this text

The format follows the file's extension (.csv or .json).
CSV columns (header row required; ticket_id and type required):
  ${CSV_COLUMN_NAMES.join(', ')}
JSON: { "orders": [...], "tickets": [...] } or an array of tickets, with the field names
  of shared/src/domain.ts (eventId may be left out).`;

/** Returns the exit code: 0 imported (or help), 1 anything wrong. */
export async function runCli(argv: string[], io: CliIo, env: Record<string, string | undefined> = process.env): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    io.err(`${messageOf(e)}\n\n${USAGE}`);
    return 1;
  }
  if (args.values.help) {
    io.out(USAGE);
    return 0;
  }
  const [command, ...files] = args.positionals;
  if (command !== 'import' && command !== 'create-admin' && command !== 'set-password' && command !== 'send-order-mails') {
    io.err(`${command === undefined ? 'no command given' : `unknown command ${JSON.stringify(command)}`}\n\n${USAGE}`);
    return 1;
  }
  try {
    if (command === 'import') return await runImport(args.values, files, io, env);
    if (command === 'send-order-mails') return await runOrderMails(args.values, io, env);
    if (files.length) throw new CliError(`${command} takes no file (and never a password: it asks for it)\n\n${USAGE}`);
    return await runPassword(command, args.values, io, env);
  } catch (e) {
    if (e instanceof CliError || e instanceof ConfigError) io.err(e.message);
    else if (e instanceof GkError && e.code === 'bad_request') io.err(e.message);
    else io.err(`${command} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      event: { type: 'string', short: 'e' },
      mapping: { type: 'string', short: 'm' },
      username: { type: 'string', short: 'u' },
      name: { type: 'string' },
      db: { type: 'string' },
      again: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** A problem the user can fix from the message alone: printed without a stack. */
class CliError extends Error {}

/**
 * The server's database: the SQLite file given with --db, else PostgreSQL when
 * GK_DATABASE_URL is set (as the server would use it), else the server's SQLite file.
 * `checkFile` runs before a SQLite file is opened. `db` names it in messages.
 */
async function openCliStorage(
  dbOption: string | undefined, env: Record<string, string | undefined>, checkFile: (file: string) => Promise<void>,
): Promise<{ db: string; storage: Storage }> {
  const config = dbOption === undefined ? loadConfig(env) : null;
  if (config?.databaseUrl) {
    return { db: 'PostgreSQL (GK_DATABASE_URL)', storage: await openPostgresStorage({ url: config.databaseUrl, poolSize: 2 }) };
  }
  const file = dbOption ?? config!.dbFile;
  await checkFile(file);
  return { db: file, storage: openSqliteStorage({ file }) };
}

async function runImport(
  { event, mapping, db: dbOption }: { event?: string; mapping?: string; db?: string }, files: string[], io: CliIo, env: Record<string, string | undefined>,
): Promise<number> {
  if (event === undefined) throw new CliError(`--event is required\n\n${USAGE}`);
  if (files.length !== 1) throw new CliError(`name exactly one file to import${files.length ? `, not ${files.length}` : ''}\n\n${USAGE}`);
  const eventId = parseId(event);
  const file = files[0];
  const format = formatOf(file);
  const text = readText(file);
  const { db, storage } = await openCliStorage(dbOption, env, async (file) => {
    // Opening a missing file would create an empty database, and the import would then
    // fail with "unknown event" pointing the user at the wrong problem.
    if (!existsSync(file)) throw new CliError(`no database at ${file}: start the server once to create it, or pass --db <file>`);
  });
  try {
    const saved = mapping === undefined ? null : await savedMapping(storage, eventId, mapping);
    const result = await importTickets(storage, eventId, { format, text, columns: saved?.columns ?? [] });
    io.out(`imported ${result.tickets} tickets, ${result.orders} orders into ${eventId}${saved ? ` with the mapping "${saved.name}"` : ''}`);
    return 0;
  } catch (e) {
    if (!(e instanceof GkError)) throw e;
    if (e.code === 'not_found') {
      const known = (await storage.listEvents()).map((ev) => ev.id);
      throw new CliError(`no event ${eventId} in ${db}; ${known.length ? `the events are: ${known.join(', ')}` : 'it holds no events yet'}`);
    }
    if (e.code === 'invalid_import' && Array.isArray(e.details)) {
      io.err(`${file}: ${e.message}; nothing was imported.`);
      for (const line of report(e.details as ImportError[])) io.err(line);
      return 1;
    }
    // Storage refused a row (e.g. an imported code another ticket of the event already has).
    throw new CliError(`${file}: ${e.message}; nothing was imported.`);
  } finally {
    await storage.close();
  }
}

/**
 * The event's saved column mapping (the console's Import) that `wanted` names: its id, else
 * its name in any case. Unknown or ambiguous: an error listing what the event has.
 */
async function savedMapping(storage: Storage, eventId: EventId, wanted: string): Promise<ImportMapping> {
  const all = await storage.listImportMappings(eventId);
  const byId = all.find((m) => m.id === wanted);
  if (byId) return byId;
  const named = all.filter((m) => m.name.trim().toLowerCase() === wanted.trim().toLowerCase());
  if (named.length === 1) return named[0]!;
  const list = all.map((m) => `"${m.name}" (${m.id})`).join(', ');
  if (named.length > 1) throw new CliError(`${named.length} mappings of ${eventId} are named "${wanted}": give the id of one of ${named.map((m) => m.id).join(', ')}`);
  if (all.length === 0) throw new CliError(`no mapping "${wanted}": event ${eventId} has no saved mappings (save one in the console's Import)`);
  throw new CliError(`no mapping "${wanted}" in event ${eventId}; the saved mappings are: ${list}`);
}

async function runPassword(
  command: 'create-admin' | 'set-password', values: { username?: string; name?: string; db?: string }, io: CliIo, env: Record<string, string | undefined>,
): Promise<number> {
  const username = values.username?.toLowerCase();
  if (!username) throw new CliError(`--username is required\n\n${USAGE}`);
  // The same rule as POST /api/events/:eventId/staff.
  if (!/^[a-z0-9._-]{2,64}$/.test(username)) throw new CliError('--username: 2 to 64 of a-z, 0-9, . _ -');
  const { db, storage } = await openCliStorage(values.db, env, async (file) => {
    if (command === 'set-password' && !existsSync(file)) throw new CliError(`no database at ${file}; pass --db <file>`);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  });
  try {
    const existing = await storage.getStaffByUsername(username);
    if (command === 'create-admin' && existing) throw new CliError(`${username} already exists in ${db}; use set-password to give it a new password`);
    if (command === 'set-password' && !existing) throw new CliError(`no staff ${username} in ${db}`);
    if (!io.readPassword) throw new CliError('no way to read a password here');
    const password = await io.readPassword(username).catch((e: unknown) => { throw new CliError(messageOf(e)); });
    checkNewPassword(password);
    const passwordHash = await hashPassword(password);
    if (existing) {
      await storage.setStaffPassword(existing.id, passwordHash);
      const ended = await storage.deleteStaffSessions(existing.id);
      io.out(`set the password of ${username}; ended ${ended} session${ended === 1 ? '' : 's'}`);
    } else {
      const id = inspectorId(newId('i-'));
      await storage.createStaff({ id, username, name: values.name ?? username, role: 'admin', passwordHash, disabled: false });
      io.out(`created admin ${username} in ${db}`);
    }
    return 0;
  } finally {
    await storage.close();
  }
}

async function runOrderMails(values: { event?: string; again?: boolean; db?: string }, io: CliIo, env: Record<string, string | undefined>): Promise<number> {
  if (values.event === undefined) throw new CliError(`--event is required\n\n${USAGE}`);
  const eventId = parseId(values.event);
  const config = loadConfig(env);
  if (!config.publicUrl) throw new CliError('set GK_PUBLIC_URL to the address holders open (e.g. https://tickets.example.org): the links in the mails start with it');
  const { db, storage } = await openCliStorage(values.db, env, async (file) => {
    if (!existsSync(file)) throw new CliError(`no database at ${file}; pass --db <file>`);
  });
  const mailer = mailerFor(config, storage, Date.now);
  try {
    const orderMails = new OrderMails({ storage, mailer, linkBase: () => config.publicUrl, now: Date.now, log: jsonLogger('warn', (l) => io.err(l.trimEnd())) });
    const r = await orderMails.send(eventId, values.again ?? false);
    io.out(`sent ${r.sent} order mail${r.sent === 1 ? '' : 's'} ${mailer.kind === 'smtp' ? `through ${config.smtpHost}` : 'into the outbox (no GK_SMTP_HOST)'}; ` +
      `${r.alreadySent} mailed before${r.alreadySent ? ' (--again mails them a new link)' : ''}, ${r.noAddress} without an address`);
    for (const f of r.failed) io.err(`  order ${f.orderId}: ${f.error}`);
    return r.failed.length ? 1 : 0;
  } catch (e) {
    if (e instanceof GkError && e.code === 'not_found') throw new CliError(`no event ${eventId} in ${db}`);
    throw e;
  } finally {
    mailer.close();
    await storage.close();
  }
}

function parseId(value: string): EventId {
  try {
    return parseEventId(value);
  } catch (e) {
    throw new CliError(`--event: ${messageOf(e)}`);
  }
}

function formatOf(file: string): ImportFormat {
  const ext = extname(file).toLowerCase();
  // .tsv and .txt too: the CSV reader takes the delimiter from the header line.
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  if (ext === '.json') return 'json';
  throw new CliError(`cannot tell the format of ${file}: name it .csv or .json`);
}

function readText(file: string): string {
  let bytes: Buffer;
  try {
    if (statSync(file).size > MAX_IMPORT_BYTES) {
      throw new CliError(`${file} is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB: split it`);
    }
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read ${file}: ${messageOf(e)}`);
  }
  try {
    // Fatal: an Excel "CSV" saved as Windows-1252 would otherwise import "Jérôme" as
    // "J�r�me" on every ticket without a word.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${file} is not UTF-8 text: save it as "CSV UTF-8" and try again`);
  }
}

function report(errors: ImportError[]): string[] {
  return errors.map((e) => {
    const where = e.row === 0 ? 'file' : `row ${e.row}`;
    return `  ${where}${e.field ? `, ${e.field}` : ''}: ${e.message}`;
  });
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    readPassword: readNewPassword,
  });
}
