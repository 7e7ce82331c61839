// Finding tickets by a holder's or buyer's name (storage/name-search.ts says what a search
// means), in any case, without accents (gk_fold, migration 1), as the SQLite adapter finds
// them. The names are kept folded in ticket_names: a part of a name through the trigram
// index (migration 5), a word's start through the word index (migration 7).
import type { NameSearch } from '../name-search.ts';

/** The ids of the event `$1`'s tickets whose names the search, bound as parameter `$n`, matches. */
export const ticketsNamed = (search: NameSearch, n: number) => search.kind === 'part'
  ? `SELECT ticket_id FROM ticket_names WHERE event_id = $1 AND names LIKE '%' || gk_fold($${n}) || '%'`
  // The text is letters and digits alone (nameSearch), so it is one lexeme, and no operator.
  : `SELECT ticket_id FROM ticket_names WHERE event_id = $1 AND to_tsvector('simple', names) @@ to_tsquery('simple', gk_fold($${n}) || ':*')`;
