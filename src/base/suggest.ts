/**
 * "Did you mean …?" for names a person typed: commands, options, config keys. Case is ignored
 * (`targetWaitMS` → `targetWaitMs`) and a typed prefix counts (`stat` → `status`).
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const word = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const lower = name.toLowerCase();
    const distance = lower.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word, lower);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  // Beyond about a third of the word, a "suggestion" is a guess that misleads more than it helps.
  const allowed = Math.max(1, Math.floor(typed.length / 3));
  return best !== undefined && best.distance <= allowed ? best.name : undefined;
}

/** `; did you mean "status"?` or nothing: ready to append to an error message. */
export function didYouMean(typed: string, candidates: readonly string[], quote = '"'): string {
  const name = closest(typed, candidates);
  return name === undefined ? '' : `; did you mean ${quote}${name}${quote}?`;
}

/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, at(i - 2, j - 2) + 1);
      row[j] = d;
    }
  }
  return at(a.length, b.length);
}
