// PostgreSQL's migration 5 (migrations.ts): the holder filter's index, as SQLite's
// ticket_names and its trigram index (SQLite's migration 6). Every ticket's names (its
// holder's and its order's buyer's) are kept, folded (gk_fold: no case, no accents), in
// ticket_names by triggers on tickets and orders, whichever code writes them; a GIN
// trigram index (pg_trgm) serves LIKE '%…%' on them for three characters or more.
//
// pg_trgm ships with PostgreSQL (Debian's package has it) and is a trusted extension: a
// role that may create in the database may add it. It goes in `public`, once per database
// (tests keep several schemas in one); the index names its operator class there. Where it
// cannot be added (no privilege, a build without it) the table is kept all the same and
// the search reads it without the index, as before, and the server says so at start.
const T = 'TEXT COLLATE "C"';
const NAMES = `gk_fold(trim(coalesce(t.holder_name, '') || ' ' || coalesce(o.buyer_name, '')))`;

export const TICKET_NAMES_SQL = `
      CREATE TABLE ticket_names (
        id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id  ${T} NOT NULL,
        ticket_id ${T} NOT NULL,
        names     ${T} NOT NULL,
        UNIQUE (event_id, ticket_id)
      );
      INSERT INTO ticket_names (event_id, ticket_id, names)
        SELECT t.event_id, t.id, ${NAMES} FROM tickets t LEFT JOIN orders o ON o.event_id = t.event_id AND o.id = t.order_id;

      -- One ticket's names again (after its row or its order's changed).
      CREATE FUNCTION gk_ticket_names(ev text, ticket text) RETURNS void LANGUAGE sql AS $f$
        INSERT INTO ticket_names (event_id, ticket_id, names)
          SELECT t.event_id, t.id, ${NAMES} FROM tickets t LEFT JOIN orders o ON o.event_id = t.event_id AND o.id = t.order_id
          WHERE t.event_id = ev AND t.id = ticket
        ON CONFLICT (event_id, ticket_id) DO UPDATE SET names = excluded.names;
      $f$;
      CREATE FUNCTION gk_tickets_names() RETURNS trigger LANGUAGE plpgsql AS $f$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          DELETE FROM ticket_names WHERE event_id = OLD.event_id AND ticket_id = OLD.id;
        ELSE
          PERFORM gk_ticket_names(NEW.event_id, NEW.id);
        END IF;
        RETURN NULL;
      END $f$;
      CREATE TRIGGER tickets_names_ai AFTER INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION gk_tickets_names();
      CREATE TRIGGER tickets_names_au AFTER UPDATE OF holder_name, order_id ON tickets FOR EACH ROW EXECUTE FUNCTION gk_tickets_names();
      CREATE TRIGGER tickets_names_ad AFTER DELETE ON tickets FOR EACH ROW EXECUTE FUNCTION gk_tickets_names();
      CREATE FUNCTION gk_orders_names() RETURNS trigger LANGUAGE plpgsql AS $f$
      BEGIN
        PERFORM gk_ticket_names(t.event_id, t.id) FROM tickets t WHERE t.event_id = NEW.event_id AND t.order_id = NEW.id;
        RETURN NULL;
      END $f$;
      CREATE TRIGGER orders_names_ai AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION gk_orders_names();
      CREATE TRIGGER orders_names_au AFTER UPDATE OF buyer_name ON orders FOR EACH ROW EXECUTE FUNCTION gk_orders_names();

      DO $d$
      BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
        CREATE INDEX ticket_names_search ON ticket_names USING gin (names public.gin_trgm_ops);
      EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'gatekeeper: no trigram index for the name search (%): it reads without one', SQLERRM;
      END $d$;
`;
