// Finding tickets by a holder's or buyer's name: part of the name, in any case, without
// accents (gk_fold, migration 1), as the SQLite adapter's trigram index finds them. Read
// without an index for now: see docs/postgres.md.

/** A ticket's names as searched: its holder's and its order's buyer's (t: tickets, o: orders). */
export const TICKET_NAMES = `gk_fold(coalesce(t.holder_name, '') || ' ' || coalesce(o.buyer_name, ''))`;

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

/** The condition that `names` (SQL) contains the folded parameter `$n`. */
export const namesContain = (names: string, n: number) => `${names} LIKE '%' || gk_fold($${n}) || '%'`;
