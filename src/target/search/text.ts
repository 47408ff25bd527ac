/**
 * Text handling shared by both patient-search modes, so that they agree on what matches.
 * OpenMRS indexes names through lower-casing, ASCII folding and edge n-grams of 2–20 characters;
 * a query word is therefore a prefix of a name, and a one-character word yields no n-gram at all
 * (Lucene drops the empty clause), so such words are ignored rather than matching nothing.
 */
export const MIN_TERM = 2;

/** Lower-cased and stripped of combining marks ("José" → "jose"), as Lucene's ASCIIFoldingFilter does for Latin text. */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** The name words of a query: folded, split on whitespace, at least MIN_TERM characters, de-duplicated. */
export function nameTerms(q: string): string[] {
  return [...new Set(fold(q).split(/\s+/).filter((t) => t.length >= MIN_TERM))];
}

/** The whole query as an identifier is matched (folded, trimmed). */
export function identifierTerm(q: string): string {
  return fold(q.trim());
}

/** Escapes LIKE wildcards so user input matches literally (MariaDB's default escape character is `\`). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Match groups, best first: identifier equal to the query, identifier starting with it, name match. */
export const GROUP = { identifierExact: 0, identifierPrefix: 1, name: 2 } as const;
