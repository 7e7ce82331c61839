// The server database schema, as numbered migrations tracked by `PRAGMA user_version`.
// Never edit a migration that has shipped: add the next number. Each one runs inside a
// transaction together with its user_version bump, so a crash half-way leaves the old
// schema and the old version, and the next start simply tries again.
//
// History:
//   1 — first schema: events, checkpoints, event_keys, code_words, orders, tickets (with
//       change_seq from the `counters` row 'change'), staff, event_staff, sessions,
//       devices, scans (seq = gossip cursor), conflicts.
//   2 — device secrets and session binding: devices.secret_hash (the SHA-256 of the secret
//       the phone got at registration; NULL for phones registered before, which register
//       again), sessions.device_id (the one phone a session speaks for).
//   3 — scans.quarantine (why a stored scan does not count in arbitration; NULL: it
//       counts) and device_alerts (a device over its scan or upload limit).
//   4 — scan_log: the identity of this database's scan log, a random id made once, with
//       the database (or at this migration, for one that existed before). Scan cursors
//       mean something only within one log: a phone that stored the id with its cursor
//       and meets another id (a database replaced by a fresh one) catches up from 0.
//   5 — undo: scans.kind ('annul'; NULL: an ordinary scan) and scans.annuls (the scan an
//       annulment cancels); conflicts.kind ('refused_annulled'; NULL: a double admission)
//       and conflicts.annul_scan_id (the annulment the row is about, or that resolved it).
//   6 — history newest first by when the scan happened: the filter indexes end in `at`
//       (checkpoint, inspector, device, outcome) and scans_at serves a time range alone;
//       ticket_names (every ticket's holder and buyer names, kept by triggers) and its
//       trigram index ticket_names_search, for the holder filter.
//   7 — conflict_reviews: supervisors mark a conflict reviewed with a note; every review
//       is kept (who, when, what), the latest is the conflict's state.
//   8 — device_reports: per event and phone, what its last hello and its socket said
//       (protocol 10: app version, clock offset, scans waiting) and when it was last heard,
//       for the supervisors' fleet. Written at each hello and when the socket closes, not at
//       each ping (those stay in memory while the phone is online). Starts empty: every
//       phone says hello again when the server comes back.
//   9 — the console's checkpoint and import settings: audit_log (every settings change:
//       who, what, when, before, after) and import_mappings (column mappings to reuse).
//  10 — scans_at carries ticket_id and scans_ticket carries at, so a name search finds a
//       page's keys in an index alone, walking the event or reading the name's tickets;
//       the live counters' tallies (live_totals,
//       live_outcomes, live_entries, live_presence, live_zones), kept by triggers on scans
//       in the transaction that stores each scan and filled from the scans already stored.
//  11 — the console's code word, ticket and staff settings: code_word_rules (the list each
//       day's code word is drawn from and the local time it changes; no row: the word is
//       set by hand), and audit_log rebuilt for them: event_id may be NULL (a change to a
//       staff account, which holds in every event) and a reason column (why a ticket's
//       status was changed). SQLite cannot drop a NOT NULL, so the table is copied.
//  12 — server_secrets: keys the server makes once and keeps (the known-browser cookie's).
//  13 — the wallet: the code window (just-in-time access), the holders' order links (their
//       tokens hashed) and the development mailer's outbox.
//  14 — device_certificates (issue 11, rotating codes): which phone's key each ticket is
//       bound to, and when each binding was revoked, numbered like ticket changes so the
//       manifest's delta carries revocations.
//  15 — the holder's verification (issue 11, measures 3, 4 and 6): orders.mobile,
//       event_measures, wallet_challenges (SMS codes and mailed links, hashed),
//       wallet_verifications (per order and device), sms_sends (what the send limits
//       count) and sms_outbox (the development SMS adapter).
//  16 — ticket_name_words: a prefix index of the words of ticket_names, for name searches
//       of one or two letters, which the trigram index cannot serve.
import type Database from 'better-sqlite3';

export interface Migration { version: number; sql: string }

// Notes on choices that hold for every table below:
// - STRICT tables: SQLite otherwise stores a string in an INTEGER column without a word.
// - Booleans are INTEGER 0/1 with a CHECK; enums (status, mode, outcome) are not CHECKed
//   here: the zod schemas check them at the edge, and adding an outcome later would
//   otherwise mean rebuilding the scans table.
// - Ticket, order and checkpoint ids are unique within an event, not across events:
//   imported codes from two ticketing systems may well reuse "1001".
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE events (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        venue      TEXT,
        starts_at  INTEGER,
        ends_at    INTEGER,
        time_zone  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE checkpoints (
        event_id      TEXT NOT NULL REFERENCES events(id),
        id            TEXT NOT NULL,
        name          TEXT NOT NULL,
        zone          TEXT NOT NULL,
        mode          TEXT NOT NULL,
        allowed_types TEXT,            -- JSON array of ticket types; NULL: every type
        valid_from    INTEGER,
        valid_until   INTEGER,
        PRIMARY KEY (event_id, id)
      ) STRICT;

      CREATE TABLE event_keys (
        event_id    TEXT NOT NULL REFERENCES events(id),
        key_id      TEXT NOT NULL,
        public_key  TEXT NOT NULL,
        private_key TEXT NOT NULL,
        revoked     INTEGER NOT NULL CHECK (revoked IN (0, 1)),
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (event_id, key_id)
      ) STRICT;

      CREATE TABLE code_words (
        event_id TEXT PRIMARY KEY REFERENCES events(id),
        word     TEXT NOT NULL
      ) STRICT;

      -- Named counters. 'change' numbers every change to tickets and orders across the
      -- database; a phone passes the last number it saw to fetch only what changed.
      CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT;
      INSERT INTO counters (name, value) VALUES ('change', 0);

      CREATE TABLE orders (
        event_id   TEXT NOT NULL REFERENCES events(id),
        id         TEXT NOT NULL,
        buyer_name TEXT,
        email      TEXT,
        change_seq INTEGER NOT NULL,
        PRIMARY KEY (event_id, id)
      ) STRICT;
      CREATE INDEX orders_changes ON orders (event_id, change_seq);

      -- order_id is deliberately not a foreign key: a plain barcode list from another
      -- system names order numbers without describing the orders, and the ticket is
      -- still valid. The order row, when there is one, is extra detail.
      CREATE TABLE tickets (
        event_id      TEXT NOT NULL REFERENCES events(id),
        id            TEXT NOT NULL,
        order_id      TEXT,
        type          TEXT NOT NULL,
        holder_name   TEXT,
        seat          TEXT,
        kind          TEXT NOT NULL,
        e_ticket      INTEGER NOT NULL CHECK (e_ticket IN (0, 1)),
        status        TEXT NOT NULL,
        valid_from    INTEGER,
        valid_until   INTEGER,
        id_check      INTEGER NOT NULL CHECK (id_check IN (0, 1)),
        imported_code TEXT,
        change_seq    INTEGER NOT NULL,
        PRIMARY KEY (event_id, id)
      ) STRICT;
      CREATE INDEX tickets_changes ON tickets (event_id, change_seq);
      CREATE INDEX tickets_order ON tickets (event_id, order_id) WHERE order_id IS NOT NULL;
      -- One barcode, one ticket: an ambiguous code would admit whichever row came first.
      CREATE UNIQUE INDEX tickets_imported_code ON tickets (event_id, imported_code)
        WHERE imported_code IS NOT NULL;

      -- Usernames compare case-insensitively: "Anna" and "anna" at the login screen are
      -- one person, and must not become two accounts.
      CREATE TABLE staff (
        id            TEXT PRIMARY KEY,
        username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name          TEXT NOT NULL,
        role          TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled      INTEGER NOT NULL CHECK (disabled IN (0, 1))
      ) STRICT;

      CREATE TABLE event_staff (
        event_id     TEXT NOT NULL REFERENCES events(id),
        inspector_id TEXT NOT NULL REFERENCES staff(id),
        PRIMARY KEY (event_id, inspector_id)
      ) STRICT;

      CREATE TABLE sessions (
        token_hash   TEXT PRIMARY KEY,
        inspector_id TEXT NOT NULL REFERENCES staff(id),
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX sessions_inspector ON sessions (inspector_id);

      CREATE TABLE devices (
        id           TEXT PRIMARY KEY,
        inspector_id TEXT NOT NULL REFERENCES staff(id),
        name         TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        revoked_at   INTEGER,
        last_seen_at INTEGER
      ) STRICT;

      -- The grow-only scan set. seq is the gossip cursor: AUTOINCREMENT so that a seq is
      -- never handed out twice, even if rows were ever removed by hand, because a phone
      -- that already holds cursor N would silently skip a new scan numbered N.
      -- Only event_id is a foreign key: a scan is evidence of what a phone did, and an
      -- offline scan is never refused because its device or checkpoint changed since.
      CREATE TABLE scans (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        id            TEXT NOT NULL UNIQUE,
        event_id      TEXT NOT NULL REFERENCES events(id),
        ticket_id     TEXT,
        order_id      TEXT,
        code          TEXT NOT NULL,
        checkpoint_id TEXT NOT NULL,
        zone          TEXT NOT NULL,
        mode          TEXT NOT NULL,
        direction     TEXT NOT NULL,
        device_id     TEXT NOT NULL,
        inspector_id  TEXT NOT NULL,
        hlc           TEXT NOT NULL,
        at            INTEGER NOT NULL,
        clock_offset  INTEGER NOT NULL,
        outcome       TEXT NOT NULL,
        offline       INTEGER NOT NULL CHECK (offline IN (0, 1)),
        id_checked    INTEGER NOT NULL CHECK (id_checked IN (0, 1)),
        received_at   INTEGER NOT NULL
      ) STRICT;
      -- Every decision reads all scans of one ticket (and history filters by ticket);
      -- gossip reads an event by seq; the others serve history filters, newest first.
      CREATE INDEX scans_ticket ON scans (event_id, ticket_id, seq);
      CREATE INDEX scans_event ON scans (event_id, seq);
      CREATE INDEX scans_order ON scans (event_id, order_id, seq) WHERE order_id IS NOT NULL;
      CREATE INDEX scans_checkpoint ON scans (event_id, checkpoint_id, seq);
      CREATE INDEX scans_inspector ON scans (event_id, inspector_id, seq);
      CREATE INDEX scans_device ON scans (event_id, device_id, seq);
      CREATE INDEX scans_outcome ON scans (event_id, outcome, seq);

      -- One row per losing admission, naming the scan that got in first. A loser's
      -- winner can change when an earlier-stamped scan arrives later; the row is then
      -- replaced, so a loser is listed once, against the first admission there is.
      CREATE TABLE conflicts (
        loser_scan_id  TEXT PRIMARY KEY REFERENCES scans(id),
        winner_scan_id TEXT NOT NULL REFERENCES scans(id),
        event_id       TEXT NOT NULL REFERENCES events(id),
        ticket_id      TEXT NOT NULL,
        scope          TEXT NOT NULL,
        created_at     INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX conflicts_event ON conflicts (event_id, created_at);
    `,
  },
  {
    version: 2,
    sql: `
      ALTER TABLE devices ADD COLUMN secret_hash TEXT;
      ALTER TABLE sessions ADD COLUMN device_id TEXT REFERENCES devices(id);
      -- Revoking a device ends the sessions bound to it.
      CREATE INDEX sessions_device ON sessions (device_id) WHERE device_id IS NOT NULL;
    `,
  },
  {
    version: 3,
    sql: `
      -- Set once, when the scan is stored (scans are immutable); NULL for every plausible scan.
      ALTER TABLE scans ADD COLUMN quarantine TEXT;
      -- The supervisors' quarantine list: few rows, newest first.
      CREATE INDEX scans_quarantine ON scans (event_id, seq) WHERE quarantine IS NOT NULL;

      -- A device that went over its scan or upload limit: one row per time it was refused
      -- after being within its limits (not one per refused message), for supervisors.
      CREATE TABLE device_alerts (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id     TEXT NOT NULL REFERENCES events(id),
        device_id    TEXT NOT NULL,
        inspector_id TEXT NOT NULL,
        kind         TEXT NOT NULL,
        message      TEXT NOT NULL,
        at           INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX device_alerts_event ON device_alerts (event_id, id);
    `,
  },
  {
    version: 4,
    sql: `
      -- One row. 128 random bits: two databases never share an id, so a copy restored
      -- from a backup is the only replacement it cannot tell (its cursors go back; the
      -- phone's cursor-ahead check still sees that).
      CREATE TABLE scan_log (
        one    INTEGER PRIMARY KEY CHECK (one = 1),
        log_id TEXT NOT NULL
      ) STRICT;
      INSERT INTO scan_log (one, log_id) VALUES (1, lower(hex(randomblob(16))));
    `,
  },
  {
    version: 5,
    sql: `
      -- Both set once, when the scan is stored; NULL on every ordinary scan.
      ALTER TABLE scans ADD COLUMN kind TEXT;
      ALTER TABLE scans ADD COLUMN annuls TEXT;
      -- "Is this admission annulled already?" when a supervisor annuls it.
      CREATE INDEX scans_annuls ON scans (annuls) WHERE annuls IS NOT NULL;

      -- A refused_annulled row is keyed by the refusal (never an admission, so it cannot
      -- clash with a double admission's loser). annul_scan_id on a double admission: the
      -- annulment that resolved it, set once, so the row stays as evidence.
      ALTER TABLE conflicts ADD COLUMN kind TEXT;
      ALTER TABLE conflicts ADD COLUMN annul_scan_id TEXT REFERENCES scans(id);
    `,
  },
  {
    version: 6,
    sql: `
      -- Supervisors read history newest first by when each scan happened, with one column
      -- filtered and often a time range. An index that ends in at (and the rowid, seq,
      -- which every index carries) is walked in that order within the range, and a page
      -- stops after its rows; ending in seq, the walk read the whole event for an old range.
      DROP INDEX scans_checkpoint;
      DROP INDEX scans_inspector;
      DROP INDEX scans_device;
      DROP INDEX scans_outcome;
      CREATE INDEX scans_checkpoint ON scans (event_id, checkpoint_id, at);
      CREATE INDEX scans_inspector ON scans (event_id, inspector_id, at);
      CREATE INDEX scans_device ON scans (event_id, device_id, at);
      CREATE INDEX scans_outcome ON scans (event_id, outcome, at);
      CREATE INDEX scans_at ON scans (event_id, at);

      -- The holder filter: "jans" must find Jansen among 100,000 tickets without reading
      -- them all, so every ticket's names (its holder's and its order's buyer's) sit in a
      -- trigram index, which serves LIKE '%…%' for three characters or more. The index
      -- reads a plain table with a key of its own (a ticket's rowid may change in a VACUUM);
      -- triggers keep both in step with tickets and orders, whichever code writes them.
      CREATE TABLE ticket_names (
        id        INTEGER PRIMARY KEY,
        event_id  TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        names     TEXT NOT NULL,
        UNIQUE (event_id, ticket_id)
      ) STRICT;
      CREATE VIRTUAL TABLE ticket_names_search USING fts5(
        names, content = 'ticket_names', content_rowid = 'id', tokenize = 'trigram remove_diacritics 1');
      CREATE TRIGGER ticket_names_ai AFTER INSERT ON ticket_names BEGIN
        INSERT INTO ticket_names_search (rowid, names) VALUES (new.id, new.names);
      END;
      CREATE TRIGGER ticket_names_ad AFTER DELETE ON ticket_names BEGIN
        INSERT INTO ticket_names_search (ticket_names_search, rowid, names) VALUES ('delete', old.id, old.names);
      END;
      CREATE TRIGGER ticket_names_au AFTER UPDATE ON ticket_names BEGIN
        INSERT INTO ticket_names_search (ticket_names_search, rowid, names) VALUES ('delete', old.id, old.names);
        INSERT INTO ticket_names_search (rowid, names) VALUES (new.id, new.names);
      END;
      CREATE TRIGGER tickets_names_ai AFTER INSERT ON tickets BEGIN
        INSERT INTO ticket_names (event_id, ticket_id, names) VALUES (new.event_id, new.id, trim(coalesce(new.holder_name, '') || ' ' || coalesce((SELECT buyer_name FROM orders WHERE event_id = new.event_id AND id = new.order_id), '')));
      END;
      CREATE TRIGGER tickets_names_au AFTER UPDATE OF holder_name, order_id ON tickets BEGIN
        UPDATE ticket_names SET names = trim(coalesce(new.holder_name, '') || ' ' || coalesce((SELECT buyer_name FROM orders WHERE event_id = new.event_id AND id = new.order_id), '')) WHERE event_id = new.event_id AND ticket_id = new.id;
      END;
      CREATE TRIGGER tickets_names_ad AFTER DELETE ON tickets BEGIN
        DELETE FROM ticket_names WHERE event_id = old.event_id AND ticket_id = old.id;
      END;
      CREATE TRIGGER orders_names_ai AFTER INSERT ON orders BEGIN
        UPDATE ticket_names SET names = (SELECT trim(coalesce(t.holder_name, '') || ' ' || coalesce((SELECT buyer_name FROM orders WHERE event_id = t.event_id AND id = t.order_id), '')) FROM tickets t WHERE t.event_id = ticket_names.event_id AND t.id = ticket_names.ticket_id)
        WHERE event_id = new.event_id AND ticket_id IN (SELECT id FROM tickets WHERE event_id = new.event_id AND order_id = new.id);
      END;
      CREATE TRIGGER orders_names_au AFTER UPDATE OF buyer_name ON orders BEGIN
        UPDATE ticket_names SET names = (SELECT trim(coalesce(t.holder_name, '') || ' ' || coalesce((SELECT buyer_name FROM orders WHERE event_id = t.event_id AND id = t.order_id), '')) FROM tickets t WHERE t.event_id = ticket_names.event_id AND t.id = ticket_names.ticket_id)
        WHERE event_id = new.event_id AND ticket_id IN (SELECT id FROM tickets WHERE event_id = new.event_id AND order_id = new.id);
      END;
      INSERT INTO ticket_names (event_id, ticket_id, names) SELECT t.event_id, t.id, trim(coalesce(t.holder_name, '') || ' ' || coalesce((SELECT buyer_name FROM orders WHERE event_id = t.event_id AND id = t.order_id), '')) FROM tickets t;
    `,
  },
  {
    version: 7,
    sql: `
      -- Append-only, so it is the audit of who reviewed what and said what, and a row of
      -- conflicts replaced when an earlier admission turns up later keeps its reviews (the
      -- key is the losing scan, which the replaced row keeps).
      CREATE TABLE conflict_reviews (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id      TEXT NOT NULL REFERENCES events(id),
        loser_scan_id TEXT NOT NULL REFERENCES scans(id),
        reviewed_by   TEXT NOT NULL REFERENCES staff(id),
        reviewed_at   INTEGER NOT NULL,
        note          TEXT NOT NULL
      ) STRICT;
      CREATE INDEX conflict_reviews_conflict ON conflict_reviews (loser_scan_id, id);
    `,
  },
  {
    version: 8,
    sql: `
      -- One row per phone and event it has spoken for: the fleet lists an event's phones
      -- from here. app_version, clock_offset_ms and waiting are NULL from a phone of
      -- protocol 9 or older, which reports none of them.
      CREATE TABLE device_reports (
        event_id         TEXT NOT NULL REFERENCES events(id),
        device_id        TEXT NOT NULL REFERENCES devices(id),
        inspector_id     TEXT NOT NULL REFERENCES staff(id),
        checkpoint_id    TEXT,
        protocol_version INTEGER NOT NULL,
        app_version      TEXT,
        clock_offset_ms  INTEGER,
        waiting          INTEGER,
        seen_at          INTEGER NOT NULL,
        PRIMARY KEY (event_id, device_id)
      ) STRICT;
    `,
  },
  {
    version: 9,
    sql: `
      -- Settings changes (checkpoint rules, imports, column mappings): who, what, when,
      -- before and after. Append-only: the audit is what nobody can edit afterwards.
      CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY,
        event_id    TEXT NOT NULL REFERENCES events(id),
        actor       TEXT NOT NULL REFERENCES staff(id),
        action      TEXT NOT NULL,
        target      TEXT NOT NULL,
        before_json TEXT,
        after_json  TEXT,
        at          INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX audit_log_event ON audit_log (event_id, id);
      -- An organiser's column mappings for ticket imports, per event, to use again.
      CREATE TABLE import_mappings (
        event_id     TEXT NOT NULL REFERENCES events(id),
        id           TEXT NOT NULL,
        name         TEXT NOT NULL,
        columns_json TEXT NOT NULL,
        updated_by   TEXT NOT NULL REFERENCES staff(id),
        updated_at   INTEGER NOT NULL,
        PRIMARY KEY (event_id, id)
      ) STRICT;
    `,
  },
  {
    version: 10,
    sql: `
      -- A holder search with many matching tickets walks the event newest first and keeps
      -- the rows of those tickets: with ticket_id in the index, only they are read.
      -- A name with few tickets reads their scans by ticket and sorts them by at: with at
      -- in scans_ticket, without reading a row. Decisions read a ticket's scans by seq, as before.
      -- seq before ticket_id: the walk stays in page order (at, then seq), with no sort.
      DROP INDEX scans_at;
      CREATE INDEX scans_at ON scans (event_id, at, seq, ticket_id);
      DROP INDEX scans_ticket;
      CREATE INDEX scans_ticket ON scans (event_id, ticket_id, seq, at);

      -- The supervisors' live counters, tallied as each scan is stored so that showing them
      -- reads a few hundred rows, not the event's scans (live/counters.ts explains the
      -- counts). These tallies take no annulment into account: the server subtracts what
      -- the few annulled tickets added when it reads them (storage liveTally). Which scans
      -- count where is the conditions of the triggers below:
      --   counted:   quarantine IS NULL (a quarantined scan counts only as quarantined)
      --   an outcome: counted, not an annulment (kind IS NULL)
      --   an entry:  an outcome of a ticket, valid, direction entry
      --   a movement in an entry/exit zone: an outcome of a ticket that admitted (valid,
      --              exit) at a checkpoint of mode entry_exit
      CREATE TABLE live_totals (
        event_id    TEXT PRIMARY KEY,
        quarantined INTEGER NOT NULL,
        -- Tickets with at least one entry.
        admitted    INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE live_outcomes (
        event_id TEXT NOT NULL,
        outcome  TEXT NOT NULL,
        scans    INTEGER NOT NULL,
        PRIMARY KEY (event_id, outcome)
      ) STRICT, WITHOUT ROWID;
      -- Entries per checkpoint and minute (the minute's first millisecond, as in LiveSnapshot).
      CREATE TABLE live_entries (
        event_id      TEXT NOT NULL,
        checkpoint_id TEXT NOT NULL,
        minute        INTEGER NOT NULL,
        entries       INTEGER NOT NULL,
        PRIMARY KEY (event_id, checkpoint_id, minute)
      ) STRICT, WITHOUT ROWID;
      -- Each ticket's last movement in each entry/exit zone, last in the agreed order
      -- (compareScans: hlc, then device, then scan id; ids and stamps are ASCII, so SQLite's
      -- byte order is JavaScript's): a late upload of an earlier movement changes nothing.
      CREATE TABLE live_presence (
        event_id  TEXT NOT NULL,
        zone      TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        hlc       TEXT NOT NULL,
        device_id TEXT NOT NULL,
        scan_id   TEXT NOT NULL,
        inside    INTEGER NOT NULL CHECK (inside IN (0, 1)),
        PRIMARY KEY (event_id, zone, ticket_id)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE live_zones (
        event_id TEXT NOT NULL,
        zone     TEXT NOT NULL,
        inside   INTEGER NOT NULL,
        PRIMARY KEY (event_id, zone)
      ) STRICT, WITHOUT ROWID;

      -- The scans stored before this migration, tallied once.
      INSERT INTO live_totals (event_id, quarantined, admitted)
        SELECT e.id,
          (SELECT count(*) FROM scans s WHERE s.event_id = e.id AND s.quarantine IS NOT NULL),
          (SELECT count(DISTINCT s.ticket_id) FROM scans s WHERE s.event_id = e.id AND s.quarantine IS NULL AND s.kind IS NULL
             AND s.ticket_id IS NOT NULL AND s.outcome = 'valid' AND s.direction = 'entry')
        FROM events e;
      INSERT INTO live_outcomes (event_id, outcome, scans)
        SELECT event_id, outcome, count(*) FROM scans WHERE quarantine IS NULL AND kind IS NULL GROUP BY event_id, outcome;
      INSERT INTO live_entries (event_id, checkpoint_id, minute, entries)
        SELECT event_id, checkpoint_id, (at / 60000) * 60000, count(*) FROM scans
        WHERE quarantine IS NULL AND kind IS NULL AND ticket_id IS NOT NULL AND outcome = 'valid' AND direction = 'entry'
        GROUP BY 1, 2, 3;
      INSERT INTO live_presence (event_id, zone, ticket_id, hlc, device_id, scan_id, inside)
        SELECT event_id, zone, ticket_id, hlc, device_id, id, direction = 'entry' FROM (
          SELECT *, row_number() OVER (PARTITION BY event_id, zone, ticket_id ORDER BY hlc DESC, device_id DESC, id DESC) AS r
          FROM scans WHERE quarantine IS NULL AND kind IS NULL AND ticket_id IS NOT NULL AND outcome IN ('valid', 'exit') AND mode = 'entry_exit')
        WHERE r = 1;
      INSERT INTO live_zones (event_id, zone, inside) SELECT event_id, zone, sum(inside) FROM live_presence GROUP BY 1, 2;

      CREATE TRIGGER live_presence_ai AFTER INSERT ON live_presence BEGIN
        INSERT INTO live_zones (event_id, zone, inside) VALUES (new.event_id, new.zone, new.inside)
          ON CONFLICT (event_id, zone) DO UPDATE SET inside = inside + excluded.inside;
      END;
      CREATE TRIGGER live_presence_au AFTER UPDATE OF inside ON live_presence WHEN new.inside <> old.inside BEGIN
        UPDATE live_zones SET inside = inside + new.inside - old.inside WHERE event_id = new.event_id AND zone = new.zone;
      END;
      CREATE TRIGGER scans_live_quarantined AFTER INSERT ON scans WHEN new.quarantine IS NOT NULL BEGIN
        INSERT INTO live_totals (event_id, quarantined, admitted) VALUES (new.event_id, 1, 0)
          ON CONFLICT (event_id) DO UPDATE SET quarantined = quarantined + 1;
      END;
      CREATE TRIGGER scans_live_outcome AFTER INSERT ON scans WHEN new.quarantine IS NULL AND new.kind IS NULL BEGIN
        INSERT INTO live_outcomes (event_id, outcome, scans) VALUES (new.event_id, new.outcome, 1)
          ON CONFLICT (event_id, outcome) DO UPDATE SET scans = scans + 1;
      END;
      CREATE TRIGGER scans_live_entry AFTER INSERT ON scans
      WHEN new.quarantine IS NULL AND new.kind IS NULL AND new.ticket_id IS NOT NULL AND new.outcome = 'valid' AND new.direction = 'entry' BEGIN
        INSERT INTO live_entries (event_id, checkpoint_id, minute, entries) VALUES (new.event_id, new.checkpoint_id, (new.at / 60000) * 60000, 1)
          ON CONFLICT (event_id, checkpoint_id, minute) DO UPDATE SET entries = entries + 1;
        -- The ticket's first entry admits it (its other scans: a few rows of scans_ticket).
        INSERT INTO live_totals (event_id, quarantined, admitted)
          SELECT new.event_id, 0, NOT EXISTS (SELECT 1 FROM scans s WHERE s.event_id = new.event_id AND s.ticket_id = new.ticket_id AND s.seq < new.seq
            AND s.quarantine IS NULL AND s.kind IS NULL AND s.outcome = 'valid' AND s.direction = 'entry') WHERE true
          ON CONFLICT (event_id) DO UPDATE SET admitted = admitted + excluded.admitted;
      END;
      CREATE TRIGGER scans_live_presence AFTER INSERT ON scans
      WHEN new.quarantine IS NULL AND new.kind IS NULL AND new.ticket_id IS NOT NULL AND new.outcome IN ('valid', 'exit') AND new.mode = 'entry_exit' BEGIN
        INSERT INTO live_presence (event_id, zone, ticket_id, hlc, device_id, scan_id, inside)
          VALUES (new.event_id, new.zone, new.ticket_id, new.hlc, new.device_id, new.id, new.direction = 'entry')
          ON CONFLICT (event_id, zone, ticket_id) DO UPDATE SET hlc = excluded.hlc, device_id = excluded.device_id, scan_id = excluded.scan_id, inside = excluded.inside
          WHERE (excluded.hlc, excluded.device_id, excluded.scan_id) > (live_presence.hlc, live_presence.device_id, live_presence.scan_id);
      END;
    `,
  },
  {
    version: 11,
    sql: `
      -- The word of the day is drawn from the list (shared/src/code-word.ts) and written
      -- to code_words when its day begins, so every reader of code_words stays as it was.
      CREATE TABLE code_word_rules (
        event_id  TEXT PRIMARY KEY REFERENCES events(id),
        words     TEXT NOT NULL, -- JSON array of strings
        change_at TEXT NOT NULL  -- 'HH:MM' in the event's time zone
      ) STRICT;

      -- Append-only, one audit for every settings section. event_id NULL: a change to a
      -- staff account, which holds in every event. before_json and after_json are the JSON
      -- of the setting (NULL: there was none); reason is why, when the person said.
      CREATE TABLE audit_log_new (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id    TEXT REFERENCES events(id),
        actor       TEXT NOT NULL REFERENCES staff(id),
        action      TEXT NOT NULL,
        target      TEXT NOT NULL,
        before_json TEXT,
        after_json  TEXT,
        reason      TEXT,
        at          INTEGER NOT NULL
      ) STRICT;
      INSERT INTO audit_log_new (id, event_id, actor, action, target, before_json, after_json, reason, at)
        SELECT id, event_id, actor, action, target, before_json, after_json, NULL, at FROM audit_log;
      DROP TABLE audit_log;
      ALTER TABLE audit_log_new RENAME TO audit_log;
      CREATE INDEX audit_log_event ON audit_log (event_id, id);
    `,
  },
  {
    version: 12,
    sql: `
      -- Keys the server makes for itself once and keeps (auth/known-browsers.ts signs its
      -- cookies with one). In the database, not a file: instances sharing it share them.
      CREATE TABLE server_secrets (
        name   TEXT PRIMARY KEY,
        secret BLOB NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 13,
    sql: `
      -- Just-in-time access: minutes before the event's start from which code material may
      -- leave the server (sync-server/src/wallet/code-window.ts). No row: no limit.
      CREATE TABLE code_windows (
        event_id     TEXT PRIMARY KEY REFERENCES events(id),
        lead_minutes INTEGER NOT NULL CHECK (lead_minutes >= 0)
      ) STRICT;

      -- The holder's link of each mailed order: only the SHA-256 of its token, so a copy of
      -- the database opens no wallet. One link per order; mailing again replaces it.
      CREATE TABLE order_links (
        token_hash TEXT PRIMARY KEY,
        event_id   TEXT NOT NULL REFERENCES events(id),
        order_id   TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (event_id, order_id)
      ) STRICT;

      -- The development mailer's outbox (no GK_SMTP_HOST): what would have been sent.
      CREATE TABLE mail_outbox (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        to_addr TEXT NOT NULL,
        subject TEXT NOT NULL,
        text    TEXT NOT NULL,
        at      INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 14,
    sql: `
      -- Device certificates (shared/src/codec/certificate.ts): the event key's word that
      -- one ticket is shown by the phone holding one key. revoked_seq is the change number
      -- (counters 'change', as tickets' change_seq) at which it was revoked, so a manifest
      -- delta after a change number carries the revocations after it; NULL: in force.
      CREATE TABLE device_certificates (
        event_id          TEXT NOT NULL REFERENCES events(id),
        id                TEXT NOT NULL, -- base64url of the 8 random bytes in the certificate
        ticket_id         TEXT NOT NULL,
        device_public_key TEXT NOT NULL, -- base64url, raw Ed25519
        step_seconds      INTEGER NOT NULL,
        issued_at         INTEGER NOT NULL,
        revoked_at        INTEGER,
        revoked_seq       INTEGER,
        PRIMARY KEY (event_id, id),
        FOREIGN KEY (event_id, ticket_id) REFERENCES tickets(event_id, id)
      ) STRICT;
      CREATE INDEX device_certificates_ticket ON device_certificates (event_id, ticket_id) WHERE revoked_seq IS NULL;
      CREATE INDEX device_certificates_revoked ON device_certificates (event_id, revoked_seq) WHERE revoked_seq IS NOT NULL;
    `,
  },
  {
    version: 15,
    sql: `
      -- The order's mobile number: where an SMS verification code goes (measure 3).
      ALTER TABLE orders ADD COLUMN mobile TEXT;

      -- What an admin switches on per performance (shared/src/api/verification.ts). No row: all off.
      CREATE TABLE event_measures (
        event_id        TEXT PRIMARY KEY REFERENCES events(id),
        sms             INTEGER NOT NULL CHECK (sms IN (0, 1)),
        email           INTEGER NOT NULL CHECK (email IN (0, 1)),
        verified_device INTEGER NOT NULL CHECK (verified_device IN (0, 1)),
        change_block    INTEGER NOT NULL CHECK (change_block IN (0, 1))
      ) STRICT;

      -- A code sent by SMS or a link sent by mail, for one order on one device (the hash of
      -- the secret the wallet keeps). Only a keyed hash of the code or link is kept; tries
      -- counts wrong guesses, used_at makes it single use.
      CREATE TABLE wallet_challenges (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id    TEXT NOT NULL REFERENCES events(id),
        order_id    TEXT NOT NULL,
        device_hash TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('sms', 'email')),
        secret_hash TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        tries       INTEGER NOT NULL DEFAULT 0,
        used_at     INTEGER
      ) STRICT;
      CREATE INDEX wallet_challenges_device ON wallet_challenges (event_id, order_id, device_hash, kind);
      CREATE INDEX wallet_challenges_secret ON wallet_challenges (secret_hash);

      -- The steps each device of an order has done. A box-office change of the holder drops them.
      CREATE TABLE wallet_verifications (
        event_id    TEXT NOT NULL REFERENCES events(id),
        order_id    TEXT NOT NULL,
        device_hash TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('sms', 'email')),
        verified_at INTEGER NOT NULL,
        PRIMARY KEY (event_id, order_id, device_hash, kind)
      ) STRICT;

      -- Every SMS sent, by number and by the address that asked: what the send limits and
      -- the daily spend cap count (sms/sms-codes.ts).
      CREATE TABLE sms_sends (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        to_number TEXT NOT NULL,
        address   TEXT NOT NULL,
        at        INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX sms_sends_number ON sms_sends (to_number, at);
      CREATE INDEX sms_sends_address ON sms_sends (address, at);
      CREATE INDEX sms_sends_at ON sms_sends (at);

      -- The development SMS adapter's outbox (no GK_SMS_PROVIDER): what would have been sent.
      CREATE TABLE sms_outbox (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        to_number TEXT NOT NULL,
        body      TEXT NOT NULL,
        at        INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 16,
    sql: `
      -- A name search of one or two letters ("Wu"): the trigram index (migration 6) has no
      -- trigram to look up, so it read every name of the event. Here every word of the
      -- names, folded (no case, no accents), with indexes of each word's first one and two
      -- letters: such a search finds the names with a word starting with it
      -- (sync-server/src/storage/name-search.ts). It reads ticket_names as the trigram
      -- index does, kept in step by triggers of its own.
      CREATE VIRTUAL TABLE ticket_name_words USING fts5(
        names, content = 'ticket_names', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2');
      INSERT INTO ticket_name_words (ticket_name_words) VALUES ('rebuild');
      CREATE TRIGGER ticket_name_words_ai AFTER INSERT ON ticket_names BEGIN
        INSERT INTO ticket_name_words (rowid, names) VALUES (new.id, new.names);
      END;
      CREATE TRIGGER ticket_name_words_ad AFTER DELETE ON ticket_names BEGIN
        INSERT INTO ticket_name_words (ticket_name_words, rowid, names) VALUES ('delete', old.id, old.names);
      END;
      CREATE TRIGGER ticket_name_words_au AFTER UPDATE ON ticket_names BEGIN
        INSERT INTO ticket_name_words (ticket_name_words, rowid, names) VALUES ('delete', old.id, old.names);
        INSERT INTO ticket_name_words (rowid, names) VALUES (new.id, new.names);
      END;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/**
 * Bring the database up to the newest schema; returns the version it is at now.
 * Refuses a database written by a newer server: running old code on a newer schema is
 * how rows get half-understood and rewritten wrong.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i} has version ${m.version}; versions must run 1, 2, 3, …`);
  });
  const latest = migrations.length;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this server knows (${latest}): upgrade the server`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    // Immediate: take the write lock before reading anything, so two servers starting on
    // one file cannot both decide to run the same migration.
    db.transaction(() => {
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
