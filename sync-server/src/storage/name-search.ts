// What a holder or buyer name search means, for both stores (the history's holder filter
// and the ticket search). Three characters or more: a part of the name anywhere ("jans"
// finds Jansen), from a trigram index. Fewer: a word of the name starting with them ("Wu"
// finds Li Wu and Wubbe, not Kwun), from a prefix index: a trigram index has nothing to look
// up for them and would read every name of the event (~90 ms a page at 100,000 tickets,
// server.history.query.p95.shortHolder). Either way in any case and without accents.

export type NameSearch =
  | { kind: 'part'; text: string }
  | { kind: 'wordStart'; text: string };

/** Null when the text can match no name: empty, a LIKE wildcard, or no letter or digit to start a word. */
export function nameSearch(text: string): NameSearch | null {
  const t = text.trim();
  if (t === '' || /[%_\\]/.test(t)) return null;
  if ([...t].length >= 3) return { kind: 'part', text: t };
  // The letters and digits alone: what both stores' word splitting keeps of it.
  const word = t.replace(/[^\p{L}\p{N}]/gu, '');
  return word === '' ? null : { kind: 'wordStart', text: word };
}
