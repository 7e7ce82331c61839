import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventId, inspectorId, ticketId } from '@gatekeeper/shared/ids';
import type { ImportMapping } from '@gatekeeper/shared/api/imports';
import { verifyPassword } from '@gatekeeper/sync-server/auth/passwords';
import { runCli } from '@gatekeeper/sync-server/cli';
import { openSqliteStorage } from '@gatekeeper/sync-server/storage/sqlite/index';

const EV = eventId('festival');

let dir: string;
let db: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gk-cli-'));
  db = join(dir, 'gatekeeper.sqlite');
  const storage = openSqliteStorage({ file: db });
  await storage.createEvent({ id: EV, name: 'Festival', venue: null, startsAt: null, endsAt: null, timeZone: 'Europe/Amsterdam' });
  await storage.close();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Run the CLI in-process; output as the user would read it; `password` is what the prompt reads. */
async function cli(argv: string[], env: Record<string, string | undefined> = {}, password?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const asked: string[] = [];
  const readPassword = async (what: string) => { asked.push(what); return password ?? ''; };
  const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s), readPassword }, env);
  return { code, out: out.join('\n'), err: err.join('\n'), ...(asked.length ? { asked } : {}) };
}

function file(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function ticketIds(): Promise<string[]> {
  const storage = openSqliteStorage({ file: db });
  try {
    return (await storage.changesSince(EV, 0)).tickets.map((t) => t.id).sort();
  } finally {
    await storage.close();
  }
}

describe('gatekeeper import', () => {
  it('imports a CSV file and says how much went into which event', async () => {
    const csv = file('tickets.csv', 'ticket_id,order_id,type,buyer_name\r\nT1,O1,Adult,Sanne\r\nT2,O1,Child,\r\nT3,O2,VIP,Daan\r\n');
    const r = await cli(['import', '--event', EV, '--db', db, csv]);
    expect(r).toEqual({ code: 0, out: 'imported 3 tickets, 2 orders into festival', err: '' });
    expect(await ticketIds()).toEqual(['T1', 'T2', 'T3']);
  });

  it('imports a JSON file, taking the format from the extension', async () => {
    const json = file('tickets.JSON', JSON.stringify([{ id: 'T9', type: 'Adult' }]));
    const r = await cli(['import', '-e', EV, '--db', db, json]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('imported 1 tickets, 0 orders into festival');
  });

  it('finds the database through GK_DB_FILE', async () => {
    const csv = file('t.csv', 'ticket_id,type\nT1,Adult\n');
    const r = await cli(['import', '--event', EV, csv], { GK_DB_FILE: db });
    expect(r.code).toBe(0);
  });

  it('prints a report of every bad row, exits 1 and imports nothing', async () => {
    const csv = file('bad.csv', 'ticket_id,type,status\nT1,Adult,paid\nT2,,paid\nT3,Adult,payed\nT1,Adult,paid\n');
    const r = await cli(['import', '--event', EV, '--db', db, csv]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toEqual([
      `${csv}: 3 rows have errors; nothing was imported.`,
      '  row 3, type: type is required',
      '  row 4, status: "payed" is not one of paid, unpaid, canceled, blocked, revoked',
      '  row 5, ticket_id: ticket T1 is already on row 2',
    ]);
    expect(await ticketIds()).toEqual([]);
  });

  it('reports a file-wide problem as "file"', async () => {
    const json = file('t.json', '{"tickets": [');
    const r = await cli(['import', '--event', EV, '--db', db, json]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot be imported: not valid JSON.*\n {2}file: not valid JSON/);
  });

  it('names an unknown event and the events there are', async () => {
    const csv = file('t.csv', 'ticket_id,type\nT1,Adult\n');
    const r = await cli(['import', '--event', 'festivl', '--db', db, csv]);
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toBe(`no event festivl in ${db}; the events are: festival`);
  });

  it('refuses a malformed event id, a missing database, file or format, and a non-UTF-8 file', async () => {
    const csv = file('t.csv', 'ticket_id,type\nT1,Adult\n');
    expect((await cli(['import', '--event', 'two words', '--db', db, csv])).err).toMatch(/--event: not a valid event id/);
    expect((await cli(['import', '--event', EV, '--db', join(dir, 'none.sqlite'), csv])).err).toMatch(/no database at .*none\.sqlite/);
    expect((await cli(['import', '--event', EV, '--db', db, join(dir, 'missing.csv')])).err).toMatch(/cannot read .*missing\.csv/);
    expect((await cli(['import', '--event', EV, '--db', db, file('t.xlsx', 'x')])).err).toMatch(/name it \.csv or \.json/);
    const latin1 = file('latin1.csv', Buffer.from('ticket_id,type,holder_name\nT1,Adult,J\xe9r\xf4me\n', 'latin1'));
    const r = await cli(['import', '--event', EV, '--db', db, latin1]);
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(/not UTF-8.*CSV UTF-8/) });
    expect(await ticketIds()).toEqual([]);
  });

  it('reports a row that storage refuses, importing nothing', async () => {
    const first = file('a.csv', 'ticket_id,type,imported_code\nT1,Adult,EAN-1\n');
    expect((await cli(['import', '--event', EV, '--db', db, first])).code).toBe(0);
    // Unique within the file, but another ticket of the event already has the code.
    const second = file('b.csv', 'ticket_id,type,imported_code\nT2,Adult,\nT3,Adult,EAN-1\n');
    const r = await cli(['import', '--event', EV, '--db', db, second]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ticket T3 was refused.*nothing was imported/);
    expect(await ticketIds()).toEqual(['T1']);
    const storage = openSqliteStorage({ file: db });
    expect(await storage.getTicket(EV, ticketId('T2'))).toBeNull();
    await storage.close();
  });

  describe('with a column mapping saved in the console (--mapping)', () => {
    // An organiser's export from another system, in its own column names.
    const shopExport = () => file('shop.csv', 'Barcode nr,Ticket soort,Naam,Bestelling\nS1,Adult,Anna Jansen,B1\nS2,Child,Joost Jansen,B1\n');
    const save = async (id: string, name: string, columns: Array<{ from: string; to: string | null }>) => {
      const storage = openSqliteStorage({ file: db });
      try {
        const admin = inspectorId('i-admin');
        if (!(await storage.getStaff(admin))) await storage.createStaff({ id: admin, username: 'ada', name: 'Ada Admin', role: 'admin', passwordHash: 'scrypt$x', disabled: false });
        await storage.saveImportMapping(EV, { id, name, columns: columns as ImportMapping['columns'], updatedAt: 1, updatedBy: admin });
      } finally {
        await storage.close();
      }
    };
    const shop = [{ from: 'Barcode nr', to: 'ticket_id' }, { from: 'Ticket soort', to: 'type' }, { from: 'Naam', to: 'holder_name' }, { from: 'Bestelling', to: 'order_id' }];

    it('imports the file with the mapping named, by its name in any case or by its id', async () => {
      await save('shop', 'Shop export', shop);
      const r = await cli(['import', '--event', EV, '--mapping', 'shop export', '--db', db, shopExport()]);
      expect(r).toEqual({ code: 0, out: 'imported 2 tickets, 1 orders into festival with the mapping "Shop export"', err: '' });
      expect(await ticketIds()).toEqual(['S1', 'S2']);
      const storage = openSqliteStorage({ file: db });
      expect(await storage.getTicket(EV, ticketId('S1'))).toMatchObject({ holderName: 'Anna Jansen', orderId: 'B1', type: 'Adult' });
      await storage.close();
      expect((await cli(['import', '-e', EV, '-m', 'shop', '--db', db, shopExport()])).code).toBe(0);
    });

    it('an unknown mapping: an error listing the saved ones, and nothing imported', async () => {
      const none = await cli(['import', '--event', EV, '--mapping', 'Shop export', '--db', db, shopExport()]);
      expect(none).toEqual({ code: 1, out: '', err: 'no mapping "Shop export": event festival has no saved mappings (save one in the console\'s Import)' });
      await save('shop', 'Shop export', shop);
      await save('box', 'Box office', [{ from: 'Code', to: 'ticket_id' }]);
      const r = await cli(['import', '--event', EV, '--mapping', 'Shop exprot', '--db', db, shopExport()]);
      expect(r.code).toBe(1);
      expect(r.err).toBe('no mapping "Shop exprot" in event festival; the saved mappings are: "Box office" (box), "Shop export" (shop)');
      expect(await ticketIds()).toEqual([]);
    });

    it('without the mapping, the export\u2019s own column names are refused and nothing is imported', async () => {
      await save('shop', 'Shop export', shop);
      const r = await cli(['import', '--event', EV, '--db', db, shopExport()]);
      expect(r.code).toBe(1);
      expect(await ticketIds()).toEqual([]);
    });
  });
});

describe('gatekeeper usage', () => {
  it('prints usage for --help and exits 0', async () => {
    for (const argv of [['--help'], ['import', '--help'], ['-h']]) {
      const r = await cli(argv);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Usage: .*import --event <eventId> \[--mapping <name>\] \[--db <file>\] <file\.csv\|file\.json>/);
      expect(r.out).toMatch(/ticket_id, order_id, type/);
      expect(r.err).toBe('');
    }
  });

  it('prints usage and exits 1 for a missing or unknown command, option or argument', async () => {
    for (const argv of [[], ['export'], ['import', '--event', EV], ['import', 'a.csv'], ['import', '--evnt', EV, 'a.csv'], ['import', '--event', EV, 'a.csv', 'b.csv']]) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err, argv.join(' ')).toMatch(/Usage:/);
    }
  });
});

describe('gatekeeper create-admin and set-password', () => {
  const staff = async (username: string) => {
    const storage = openSqliteStorage({ file: db });
    try { return await storage.getStaffByUsername(username); } finally { await storage.close(); }
  };

  it('creates an admin with the password read from the prompt, in a database it creates if need be', async () => {
    const fresh = join(dir, 'new', 'gatekeeper.sqlite');
    const r = await cli(['create-admin', '--username', 'Ada', '--name', 'Ada Lovelace'], { GK_DB_FILE: fresh }, 'correct horse battery');
    expect(r).toMatchObject({ code: 0, out: `created admin ada in ${fresh}`, err: '', asked: ['ada'] });
    const storage = openSqliteStorage({ file: fresh });
    try {
      const ada = await storage.getStaffByUsername('ada');
      expect(ada).toMatchObject({ name: 'Ada Lovelace', role: 'admin', disabled: false });
      expect(await verifyPassword('correct horse battery', ada!.passwordHash)).toBe(true);
    } finally { await storage.close(); }
  });

  it('never takes the password from the command line', async () => {
    const r = await cli(['create-admin', '--username', 'ada', '--password', 'correct horse battery', '--db', db]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Unknown option '--password'/);
    const positional = await cli(['create-admin', '--username', 'ada', '--db', db, 'correct horse battery']);
    expect(positional.code).toBe(1);
    expect(positional.err).toMatch(/never a password/);
    expect(await staff('ada')).toBeNull();
  });

  it('refuses a short or published password, and an existing username, creating nothing', async () => {
    for (const pw of ['short', 'admin-demo', '']) {
      const r = await cli(['create-admin', '--username', 'ada', '--db', db], {}, pw);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/at least 10 characters|published demo password/);
    }
    expect(await staff('ada')).toBeNull();
    expect((await cli(['create-admin', '-u', 'ada', '--db', db], {}, 'correct horse battery')).code).toBe(0);
    const again = await cli(['create-admin', '-u', 'ada', '--db', db], {}, 'another long password');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists.*set-password/);
  });

  it('set-password gives an existing account a new password and ends its sessions', async () => {
    expect((await cli(['create-admin', '-u', 'ada', '--db', db], {}, 'correct horse battery')).code).toBe(0);
    const ada = (await staff('ada'))!;
    const storage = openSqliteStorage({ file: db });
    await storage.createSession({ tokenHash: 'h', inspectorId: ada.id, createdAt: 0, expiresAt: Date.now() + 3600_000 });
    await storage.close();
    const r = await cli(['set-password', '-u', 'ada', '--db', db], {}, 'a different long one');
    expect(r).toMatchObject({ code: 0, out: 'set the password of ada; ended 1 session' });
    expect(await verifyPassword('a different long one', (await staff('ada'))!.passwordHash)).toBe(true);
    expect((await cli(['set-password', '-u', 'nobody', '--db', db], {}, 'a different long one')).err).toMatch(/no staff nobody/);
  });

  it('reads the password from the first line of stdin when it is not a terminal', { timeout: 60_000 }, () => {
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const r = spawnSync(tsx, ['sync-server/src/cli.ts', 'create-admin', '--username', 'piped', '--db', db], { input: 'from a pipe 123\nignored\n', encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return staff('piped').then(async (s) => expect(await verifyPassword('from a pipe 123', s!.passwordHash)).toBe(true));
  });
});
