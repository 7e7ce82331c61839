// Finding tickets by a holder's or buyer's name: part of the name, in any case, without
// accents (gk_fold, migration 1), as the SQLite adapter's trigram index finds them. The
// names are kept folded in ticket_names, with a trigram index (migration 5).

/** The ids of the event `$1`'s tickets whose names contain the folded parameter `$n`. */
export const ticketsNamed = (n: number) =>
  `SELECT ticket_id FROM ticket_names WHERE event_id = $1 AND names LIKE '%' || gk_fold($${n}) || '%'`;

/**
 * The LIKE pattern's inside for `text`, bound as a parameter and folded by the query
 * (`LIKE '%' || gk_fold($n) || '%'`); null when the text can match no name: LIKE's
 * wildcards are no part of one.
 */
export function namePattern(text: string): string | null {
  const t = text.trim();
  if (t === '' || /[%_\\]/.test(t)) return null;
  return t;
}
