// PostgreSQL's migrations 4 and 6 (migrations.ts): the live counters' tallies, kept by
// triggers on scans, as SQLite's migration 10 keeps them. In a file of their own for length.
const T = 'TEXT COLLATE "C"';

/**
 * The scans trigger's function: migrations 4 and 6 differ only in how it finds a ticket's
 * first entry (`firstEntry`, in the valid-entry branch) and what that declares. Both
 * migrations have shipped, so this text is theirs: a new trigger is a new migration.
 */
const liveScanFunction = (create: string, declare: string, firstEntry: string) => `      ${create} gk_live_scan() RETURNS trigger LANGUAGE plpgsql AS $f$
${declare}      BEGIN
        IF NEW.quarantine IS NOT NULL THEN
          INSERT INTO live_totals (event_id, quarantined, admitted) VALUES (NEW.event_id, 1, 0)
            ON CONFLICT (event_id) DO UPDATE SET quarantined = live_totals.quarantined + 1;
          RETURN NULL;
        END IF;
        IF NEW.kind IS NOT NULL THEN RETURN NULL; END IF;
        INSERT INTO live_outcomes (event_id, outcome, scans) VALUES (NEW.event_id, NEW.outcome, 1)
          ON CONFLICT (event_id, outcome) DO UPDATE SET scans = live_outcomes.scans + 1;
        IF NEW.ticket_id IS NOT NULL AND NEW.outcome = 'valid' AND NEW.direction = 'entry' THEN
          INSERT INTO live_entries (event_id, checkpoint_id, minute, entries) VALUES (NEW.event_id, NEW.checkpoint_id, (NEW.at / 60000) * 60000, 1)
            ON CONFLICT (event_id, checkpoint_id, minute) DO UPDATE SET entries = live_entries.entries + 1;
${firstEntry}        END IF;
        IF NEW.ticket_id IS NOT NULL AND NEW.outcome IN ('valid', 'exit') AND NEW.mode = 'entry_exit' THEN
          INSERT INTO live_presence (event_id, zone, ticket_id, hlc, device_id, scan_id, inside)
            VALUES (NEW.event_id, NEW.zone, NEW.ticket_id, NEW.hlc, NEW.device_id, NEW.id, CASE WHEN NEW.direction = 'entry' THEN 1 ELSE 0 END)
            ON CONFLICT (event_id, zone, ticket_id) DO UPDATE SET hlc = excluded.hlc, device_id = excluded.device_id, scan_id = excluded.scan_id, inside = excluded.inside
            WHERE (excluded.hlc, excluded.device_id, excluded.scan_id) > (live_presence.hlc, live_presence.device_id, live_presence.scan_id);
        END IF;
        RETURN NULL;
      END $f$;
`;

export const LIVE_TALLIES_SQL = `
      -- As SQLite's migration 10 (sqlite/migrations.ts explains the tables and which scans
      -- count where). Every scan transaction of an event holds the event's log lock
      -- (scan-writes.ts), so these rows are updated by one transaction at a time per event,
      -- whichever instance it runs on, and a trigger sees every earlier scan of the event.
      CREATE TABLE live_totals (
        event_id    ${T} PRIMARY KEY,
        quarantined BIGINT NOT NULL,
        admitted    BIGINT NOT NULL
      );
      CREATE TABLE live_outcomes (
        event_id ${T} NOT NULL,
        outcome  ${T} NOT NULL,
        scans    BIGINT NOT NULL,
        PRIMARY KEY (event_id, outcome)
      );
      CREATE TABLE live_entries (
        event_id      ${T} NOT NULL,
        checkpoint_id ${T} NOT NULL,
        minute        BIGINT NOT NULL,
        entries       BIGINT NOT NULL,
        PRIMARY KEY (event_id, checkpoint_id, minute)
      );
      -- Each ticket's last movement in each entry/exit zone, last in the agreed order
      -- (hlc, then device, then scan id, all COLLATE "C": JavaScript's order).
      CREATE TABLE live_presence (
        event_id  ${T} NOT NULL,
        zone      ${T} NOT NULL,
        ticket_id ${T} NOT NULL,
        hlc       ${T} NOT NULL,
        device_id ${T} NOT NULL,
        scan_id   ${T} NOT NULL,
        inside    INTEGER NOT NULL CHECK (inside IN (0, 1)),
        PRIMARY KEY (event_id, zone, ticket_id)
      );
      CREATE TABLE live_zones (
        event_id ${T} NOT NULL,
        zone     ${T} NOT NULL,
        inside   BIGINT NOT NULL,
        PRIMARY KEY (event_id, zone)
      );

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
        SELECT DISTINCT ON (event_id, zone, ticket_id) event_id, zone, ticket_id, hlc, device_id, id, CASE WHEN direction = 'entry' THEN 1 ELSE 0 END
        FROM scans WHERE quarantine IS NULL AND kind IS NULL AND ticket_id IS NOT NULL AND outcome IN ('valid', 'exit') AND mode = 'entry_exit'
        ORDER BY event_id, zone, ticket_id, hlc DESC, device_id DESC, id DESC;
      INSERT INTO live_zones (event_id, zone, inside) SELECT event_id, zone, sum(inside) FROM live_presence GROUP BY 1, 2;

      CREATE FUNCTION gk_live_presence() RETURNS trigger LANGUAGE plpgsql AS $f$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO live_zones (event_id, zone, inside) VALUES (NEW.event_id, NEW.zone, NEW.inside)
            ON CONFLICT (event_id, zone) DO UPDATE SET inside = live_zones.inside + excluded.inside;
        ELSE
          UPDATE live_zones SET inside = inside + NEW.inside - OLD.inside WHERE event_id = NEW.event_id AND zone = NEW.zone;
        END IF;
        RETURN NULL;
      END $f$;
      CREATE TRIGGER live_presence_ai AFTER INSERT ON live_presence FOR EACH ROW EXECUTE FUNCTION gk_live_presence();
      CREATE TRIGGER live_presence_au AFTER UPDATE OF inside ON live_presence FOR EACH ROW
        WHEN (NEW.inside <> OLD.inside) EXECUTE FUNCTION gk_live_presence();

${liveScanFunction('CREATE FUNCTION', '', `          -- The ticket's first entry admits it (its earlier scans: a few rows of scans_ticket).
          INSERT INTO live_totals (event_id, quarantined, admitted)
            SELECT NEW.event_id, 0, CASE WHEN EXISTS (SELECT 1 FROM scans s WHERE s.event_id = NEW.event_id AND s.ticket_id = NEW.ticket_id
              AND s.seq < NEW.seq AND s.quarantine IS NULL AND s.kind IS NULL AND s.outcome = 'valid' AND s.direction = 'entry') THEN 0 ELSE 1 END
            ON CONFLICT (event_id) DO UPDATE SET admitted = live_totals.admitted + excluded.admitted;
`)}      CREATE TRIGGER scans_live AFTER INSERT ON scans FOR EACH ROW EXECUTE FUNCTION gk_live_scan();
    `;

// PostgreSQL's migration 6: a ticket's first entry found by primary key. Migration 4 asked
// the scans table whether the ticket had entered before (an EXISTS over scans), and left
// the index to the planner: on a table it has no statistics for yet (a new schema, an
// event's first hour before autovacuum analyses it) it chose scans_outcome and walked every
// valid scan of the event, so each entry cost more as the event grew (2 ms a scan at a few
// thousand scans, most of pg.arbitrate.throughput's gap to its floor: bench/README.md).
// live_admitted holds the tickets that entered; its insert says whether this is the first.
export const LIVE_ADMITTED_SQL = `
      CREATE TABLE live_admitted (
        event_id  ${T} NOT NULL,
        ticket_id ${T} NOT NULL,
        PRIMARY KEY (event_id, ticket_id)
      );
      -- The tickets that entered before this migration: those live_totals.admitted counts.
      INSERT INTO live_admitted (event_id, ticket_id)
        SELECT DISTINCT event_id, ticket_id FROM scans
        WHERE quarantine IS NULL AND kind IS NULL AND ticket_id IS NOT NULL AND outcome = 'valid' AND direction = 'entry';

      -- As migration 4's, but for the first entry's test.
${liveScanFunction('CREATE OR REPLACE FUNCTION', `      DECLARE
        first_entry INTEGER;
`, `          -- The ticket's first entry admits it: its row goes in only then. Every scan
          -- transaction of the event holds the event's log lock, so no other one is
          -- inserting the same row meanwhile (and if one were, this insert would wait for it).
          INSERT INTO live_admitted (event_id, ticket_id) VALUES (NEW.event_id, NEW.ticket_id) ON CONFLICT DO NOTHING;
          GET DIAGNOSTICS first_entry = ROW_COUNT;
          IF first_entry > 0 THEN
            INSERT INTO live_totals (event_id, quarantined, admitted) VALUES (NEW.event_id, 0, 1)
              ON CONFLICT (event_id) DO UPDATE SET admitted = live_totals.admitted + 1;
          END IF;
`)}    `;
