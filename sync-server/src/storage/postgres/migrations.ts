// The PostgreSQL schema, as numbered migrations recorded in schema_version. Never edit a
// migration that has shipped: add the next number. Each runs in one transaction with its
// version bump (PostgreSQL's DDL is transactional), all under an advisory lock, so several
// instances starting on one database at once run each migration once.
//
// Migration 1 is the SQLite schema as its migration 12 left it (sqlite/migrations.ts
// explains each table), in PostgreSQL's types, less what this adapter did not serve yet
// (see docs/postgres.md): the live counters' tallies (migration 4) and the holder-name index (5).
//
// History:
//   1 — events and their set-up, tickets and orders, staff, sessions, devices and their
//       reports, scans, conflicts and their reviews, device alerts, the audit, import
//       mappings, code word rules, server secrets, the scan log's id; gk_fold, how names
//       compare in a search.
//   2 — SQLite's migrations 13 and 14: the wallets' code_windows, order_links and
//       mail_outbox, and device_certificates (rotating codes), whose revoked_seq is a
//       change number as tickets' change_seq is.
//   3 — SQLite's migration 15: orders.mobile, event_measures, wallet_challenges,
//       wallet_verifications, sms_sends and sms_outbox (the holder's verification).
//   4 — SQLite's migration 10 on PostgreSQL: the live counters' tallies (live_totals,
//       live_outcomes, live_entries, live_presence, live_zones), kept by triggers on
//       scans in the scan's own transaction, with the scans stored before tallied once.
//   5 — the holder filter's index: ticket_names (folded names, kept by triggers on
//       tickets and orders) with a pg_trgm GIN index (migration-names.ts).
//   6 — live_admitted: the tickets that entered, so that the live tally finds a ticket's
//       first entry by primary key instead of an EXISTS over scans whose index the
//       planner chose (migration-live.ts says what that cost).
//   7 — SQLite's migration 16: the words of ticket_names in a GIN index, for name
//       searches of one or two letters (a word's start), which trigrams cannot serve.
import type pg from 'pg';
import { LIVE_ADMITTED_SQL, LIVE_TALLIES_SQL } from './migration-live.ts';
import { TICKET_NAMES_SQL } from './migration-names.ts';

export interface PgMigration { version: number; sql: string }

// Notes on choices that hold for every table below:
// - Text that is an id, a stamp or a name is COLLATE "C": compared and sorted by byte,
//   as SQLite and JavaScript do, whatever the database's locale. compareScans (hlc, then
//   device, then scan id) must order rows here as it orders them in memory.
// - Times are BIGINT milliseconds since the epoch, as everywhere else in the code: the
//   clock offsets and HLC stamps beside them are in ms too, and no conversion can drift.
// - Booleans are BOOLEAN; JSON is JSONB (handed to the code as text: see db.ts).
const T = 'TEXT COLLATE "C"';

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE events (
        id         ${T} PRIMARY KEY,
        name       ${T} NOT NULL,
        venue      ${T},
        starts_at  BIGINT,
        ends_at    BIGINT,
        time_zone  ${T} NOT NULL
      );

      CREATE TABLE checkpoints (
        event_id      ${T} NOT NULL REFERENCES events(id),
        id            ${T} NOT NULL,
        name          ${T} NOT NULL,
        zone          ${T} NOT NULL,
        mode          ${T} NOT NULL,
        allowed_types JSONB,           -- array of ticket types; NULL: every type
        valid_from    BIGINT,
        valid_until   BIGINT,
        PRIMARY KEY (event_id, id)
      );

      CREATE TABLE event_keys (
        event_id    ${T} NOT NULL REFERENCES events(id),
        key_id      ${T} NOT NULL,
        public_key  ${T} NOT NULL,
        private_key ${T} NOT NULL,
        revoked     BOOLEAN NOT NULL,
        created_at  BIGINT NOT NULL,
        PRIMARY KEY (event_id, key_id)
      );

      CREATE TABLE code_words (
        event_id ${T} PRIMARY KEY REFERENCES events(id),
        word     ${T} NOT NULL
      );

      CREATE TABLE code_word_rules (
        event_id  ${T} PRIMARY KEY REFERENCES events(id),
        words     JSONB NOT NULL,
        change_at ${T} NOT NULL
      );

      -- 'change' numbers every change to tickets and orders; an import takes the row's
      -- lock when it moves it, so two imports never number their changes alike.
      CREATE TABLE counters (
        name  ${T} PRIMARY KEY,
        value BIGINT NOT NULL
      );
      INSERT INTO counters (name, value) VALUES ('change', 0);

      CREATE TABLE orders (
        event_id   ${T} NOT NULL REFERENCES events(id),
        id         ${T} NOT NULL,
        buyer_name ${T},
        email      ${T},
        change_seq BIGINT NOT NULL,
        PRIMARY KEY (event_id, id)
      );
      CREATE INDEX orders_changes ON orders (event_id, change_seq);

      -- order_id is not a foreign key, as in SQLite: a barcode list names orders it does
      -- not describe.
      CREATE TABLE tickets (
        event_id      ${T} NOT NULL REFERENCES events(id),
        id            ${T} NOT NULL,
        order_id      ${T},
        type          ${T} NOT NULL,
        holder_name   ${T},
        seat          ${T},
        kind          ${T} NOT NULL,
        e_ticket      BOOLEAN NOT NULL,
        status        ${T} NOT NULL,
        valid_from    BIGINT,
        valid_until   BIGINT,
        id_check      BOOLEAN NOT NULL,
        imported_code ${T},
        change_seq    BIGINT NOT NULL,
        PRIMARY KEY (event_id, id)
      );
      CREATE INDEX tickets_changes ON tickets (event_id, change_seq);
      CREATE INDEX tickets_order ON tickets (event_id, order_id) WHERE order_id IS NOT NULL;
      CREATE UNIQUE INDEX tickets_imported_code ON tickets (event_id, imported_code) WHERE imported_code IS NOT NULL;

      -- Usernames are one account whatever their case ("Anna", "anna"): unique on lower(),
      -- and looked up by lower() (SQLite's COLLATE NOCASE).
      CREATE TABLE staff (
        id            ${T} PRIMARY KEY,
        username      ${T} NOT NULL,
        name          ${T} NOT NULL,
        role          ${T} NOT NULL,
        password_hash ${T} NOT NULL,
        disabled      BOOLEAN NOT NULL
      );
      CREATE UNIQUE INDEX staff_username ON staff (lower(username));

      CREATE TABLE event_staff (
        event_id     ${T} NOT NULL REFERENCES events(id),
        inspector_id ${T} NOT NULL REFERENCES staff(id),
        PRIMARY KEY (event_id, inspector_id)
      );

      CREATE TABLE devices (
        id           ${T} PRIMARY KEY,
        inspector_id ${T} NOT NULL REFERENCES staff(id),
        name         ${T} NOT NULL,
        created_at   BIGINT NOT NULL,
        revoked_at   BIGINT,
        last_seen_at BIGINT,
        secret_hash  ${T}
      );

      CREATE TABLE sessions (
        token_hash   ${T} PRIMARY KEY,
        inspector_id ${T} NOT NULL REFERENCES staff(id),
        created_at   BIGINT NOT NULL,
        expires_at   BIGINT NOT NULL,
        device_id    ${T} REFERENCES devices(id)
      );
      CREATE INDEX sessions_inspector ON sessions (inspector_id);
      CREATE INDEX sessions_device ON sessions (device_id) WHERE device_id IS NOT NULL;

      CREATE TABLE device_reports (
        event_id         ${T} NOT NULL REFERENCES events(id),
        device_id        ${T} NOT NULL REFERENCES devices(id),
        inspector_id     ${T} NOT NULL REFERENCES staff(id),
        checkpoint_id    ${T},
        protocol_version INTEGER NOT NULL,
        app_version      ${T},
        clock_offset_ms  BIGINT,
        waiting          INTEGER,
        seen_at          BIGINT NOT NULL,
        PRIMARY KEY (event_id, device_id)
      );

      -- The grow-only scan set. seq is the gossip cursor, from an identity that never hands
      -- a number out twice. A number is taken at insert and seen at commit, so concurrent
      -- transactions can commit out of order: see docs/postgres.md (cursors) before serving
      -- scansAfter from several instances.
      CREATE TABLE scans (
        seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id            ${T} NOT NULL UNIQUE,
        event_id      ${T} NOT NULL REFERENCES events(id),
        ticket_id     ${T},
        order_id      ${T},
        code          ${T} NOT NULL,
        checkpoint_id ${T} NOT NULL,
        zone          ${T} NOT NULL,
        mode          ${T} NOT NULL,
        direction     ${T} NOT NULL,
        device_id     ${T} NOT NULL,
        inspector_id  ${T} NOT NULL,
        hlc           ${T} NOT NULL,
        at            BIGINT NOT NULL,
        clock_offset  BIGINT NOT NULL,
        outcome       ${T} NOT NULL,
        offline       BOOLEAN NOT NULL,
        id_checked    BOOLEAN NOT NULL,
        received_at   BIGINT NOT NULL,
        quarantine    ${T},
        kind          ${T},
        annuls        ${T}
      );
      CREATE INDEX scans_ticket ON scans (event_id, ticket_id, seq) INCLUDE (at);
      CREATE INDEX scans_event ON scans (event_id, seq);
      CREATE INDEX scans_order ON scans (event_id, order_id, seq) WHERE order_id IS NOT NULL;
      CREATE INDEX scans_checkpoint ON scans (event_id, checkpoint_id, at);
      CREATE INDEX scans_inspector ON scans (event_id, inspector_id, at);
      CREATE INDEX scans_device ON scans (event_id, device_id, at);
      CREATE INDEX scans_outcome ON scans (event_id, outcome, at);
      CREATE INDEX scans_at ON scans (event_id, at, seq) INCLUDE (ticket_id);
      CREATE INDEX scans_quarantine ON scans (event_id, seq) WHERE quarantine IS NOT NULL;
      CREATE INDEX scans_annuls ON scans (annuls) WHERE annuls IS NOT NULL;

      -- One row per losing admission (or refusal an annulment made needless). n orders the
      -- rows as recorded: a replaced row is recorded again (SQLite's new rowid on REPLACE).
      CREATE TABLE conflicts (
        loser_scan_id  ${T} PRIMARY KEY REFERENCES scans(id),
        winner_scan_id ${T} NOT NULL REFERENCES scans(id),
        event_id       ${T} NOT NULL REFERENCES events(id),
        ticket_id      ${T} NOT NULL,
        scope          ${T} NOT NULL,
        created_at     BIGINT NOT NULL,
        kind           ${T},
        annul_scan_id  ${T} REFERENCES scans(id),
        n              BIGINT GENERATED ALWAYS AS IDENTITY
      );
      CREATE INDEX conflicts_event ON conflicts (event_id, created_at, n);

      CREATE TABLE conflict_reviews (
        id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id      ${T} NOT NULL REFERENCES events(id),
        loser_scan_id ${T} NOT NULL REFERENCES scans(id),
        reviewed_by   ${T} NOT NULL REFERENCES staff(id),
        reviewed_at   BIGINT NOT NULL,
        note          ${T} NOT NULL
      );
      CREATE INDEX conflict_reviews_conflict ON conflict_reviews (loser_scan_id, id);

      CREATE TABLE device_alerts (
        id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id     ${T} NOT NULL REFERENCES events(id),
        device_id    ${T} NOT NULL,
        inspector_id ${T} NOT NULL,
        kind         ${T} NOT NULL,
        message      ${T} NOT NULL,
        at           BIGINT NOT NULL
      );
      CREATE INDEX device_alerts_event ON device_alerts (event_id, id);

      CREATE TABLE audit_log (
        id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id    ${T} REFERENCES events(id),
        actor       ${T} NOT NULL REFERENCES staff(id),
        action      ${T} NOT NULL,
        target      ${T} NOT NULL,
        before_json JSONB,
        after_json  JSONB,
        reason      ${T},
        at          BIGINT NOT NULL
      );
      CREATE INDEX audit_log_event ON audit_log (event_id, id);

      CREATE TABLE import_mappings (
        event_id     ${T} NOT NULL REFERENCES events(id),
        id           ${T} NOT NULL,
        name         ${T} NOT NULL,
        columns_json JSONB NOT NULL,
        updated_by   ${T} NOT NULL REFERENCES staff(id),
        updated_at   BIGINT NOT NULL,
        PRIMARY KEY (event_id, id)
      );

      CREATE TABLE server_secrets (
        name   ${T} PRIMARY KEY,
        secret BYTEA NOT NULL
      );

      -- How a name is compared when searched: without accents ("muller" finds Müller), in
      -- any case. NFD splits a letter from its accents, which are then dropped. Immutable,
      -- so an index on it (a trigram index, with pg_trgm) can serve the search later.
      CREATE FUNCTION gk_fold(name text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN lower(regexp_replace(normalize(name, NFD), '[\u0300-\u036f]', '', 'g'));

      -- One row: 128 random bits, made with the database (see SQLite's migration 4).
      CREATE TABLE scan_log (
        one    INTEGER PRIMARY KEY CHECK (one = 1),
        log_id ${T} NOT NULL
      );
      INSERT INTO scan_log (one, log_id) VALUES (1, replace(gen_random_uuid()::text, '-', ''));
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE code_windows (
        event_id     ${T} PRIMARY KEY REFERENCES events(id),
        lead_minutes INTEGER NOT NULL CHECK (lead_minutes >= 0)
      );

      CREATE TABLE order_links (
        token_hash ${T} PRIMARY KEY,
        event_id   ${T} NOT NULL REFERENCES events(id),
        order_id   ${T} NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (event_id, order_id)
      );

      CREATE TABLE mail_outbox (
        id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        to_addr ${T} NOT NULL,
        subject ${T} NOT NULL,
        text    ${T} NOT NULL,
        at      BIGINT NOT NULL
      );

      CREATE TABLE device_certificates (
        event_id          ${T} NOT NULL REFERENCES events(id),
        id                ${T} NOT NULL,
        ticket_id         ${T} NOT NULL,
        device_public_key ${T} NOT NULL,
        step_seconds      INTEGER NOT NULL,
        issued_at         BIGINT NOT NULL,
        revoked_at        BIGINT,
        revoked_seq       BIGINT,
        PRIMARY KEY (event_id, id),
        FOREIGN KEY (event_id, ticket_id) REFERENCES tickets(event_id, id)
      );
      CREATE INDEX device_certificates_ticket ON device_certificates (event_id, ticket_id) WHERE revoked_seq IS NULL;
      CREATE INDEX device_certificates_revoked ON device_certificates (event_id, revoked_seq) WHERE revoked_seq IS NOT NULL;
    `,
  },
  {
    version: 3,
    sql: `
      ALTER TABLE orders ADD COLUMN mobile ${T};
      CREATE TABLE event_measures (
        event_id        ${T} PRIMARY KEY REFERENCES events(id),
        sms             BOOLEAN NOT NULL,
        email           BOOLEAN NOT NULL,
        verified_device BOOLEAN NOT NULL,
        change_block    BOOLEAN NOT NULL
      );
      CREATE TABLE wallet_challenges (
        id          BIGSERIAL PRIMARY KEY,
        event_id    ${T} NOT NULL REFERENCES events(id),
        order_id    ${T} NOT NULL,
        device_hash ${T} NOT NULL,
        kind        ${T} NOT NULL CHECK (kind IN ('sms', 'email')),
        secret_hash ${T} NOT NULL,
        created_at  BIGINT NOT NULL,
        expires_at  BIGINT NOT NULL,
        tries       INTEGER NOT NULL DEFAULT 0,
        used_at     BIGINT
      );
      CREATE INDEX wallet_challenges_device ON wallet_challenges (event_id, order_id, device_hash, kind);
      CREATE INDEX wallet_challenges_secret ON wallet_challenges (secret_hash);
      CREATE TABLE wallet_verifications (
        event_id    ${T} NOT NULL REFERENCES events(id),
        order_id    ${T} NOT NULL,
        device_hash ${T} NOT NULL,
        kind        ${T} NOT NULL CHECK (kind IN ('sms', 'email')),
        verified_at BIGINT NOT NULL,
        PRIMARY KEY (event_id, order_id, device_hash, kind)
      );
      CREATE TABLE sms_sends (
        id        BIGSERIAL PRIMARY KEY,
        to_number ${T} NOT NULL,
        address   ${T} NOT NULL,
        at        BIGINT NOT NULL
      );
      CREATE INDEX sms_sends_number ON sms_sends (to_number, at);
      CREATE INDEX sms_sends_address ON sms_sends (address, at);
      CREATE INDEX sms_sends_at ON sms_sends (at);
      CREATE TABLE sms_outbox (
        id        BIGSERIAL PRIMARY KEY,
        to_number ${T} NOT NULL,
        body      ${T} NOT NULL,
        at        BIGINT NOT NULL
      );
    `,
  },
  { version: 4, sql: LIVE_TALLIES_SQL },
  { version: 5, sql: TICKET_NAMES_SQL },
  { version: 6, sql: LIVE_ADMITTED_SQL },
  {
    version: 7,
    sql: `
      -- to_tsvector with its configuration named is immutable, as an index needs; 'simple'
      -- splits words as SQLite's unicode61 does and changes none (the names are folded).
      CREATE INDEX ticket_name_words ON ticket_names USING gin (to_tsvector('simple', names));
    `,
  },
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]?.version ?? 0;

/** Any constant: the advisory lock every instance takes to migrate, so one migrates at a time. */
const MIGRATION_LOCK = 7_146_411;

/**
 * Create `schema` if it is missing and bring it (the connection's search_path) up to the
 * newest version; returns the version it is at now. Refuses a schema written by a newer
 * server.
 */
export async function migratePg(client: pg.ClientBase, schema: string, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i} has version ${m.version}; versions must run 1, 2, 3, …`);
  });
  const latest = migrations.length;
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    // Under the lock: two CREATE SCHEMA IF NOT EXISTS at once can both find it missing,
    // and the second then fails on the catalog's unique name.
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL)');
    const version = async () => Number((await client.query<{ version: number }>('SELECT version FROM schema_version')).rows[0]?.version ?? 0);
    const current = await version();
    if (current > latest) {
      throw new Error(`database schema version ${current} is newer than this server knows (${latest}): upgrade the server`);
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(
          'INSERT INTO schema_version (one, version) VALUES (1, $1) ON CONFLICT (one) DO UPDATE SET version = excluded.version', [m.version]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
    }
    return await version();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
