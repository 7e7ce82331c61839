// What PostgreSQL needs around the shared row mappings (storage/rows.ts). They were written
// for SQLite's 0/1 booleans: PostgreSQL's BOOLEAN columns come back as true/false, and `bits`
// turns them into 0/1 before a mapping reads them. Going in, PostgreSQL takes '1' and '0'
// for a BOOLEAN, so the mappings' 0/1 bind as they are.

/** The row with every boolean column as 0/1, as the shared mappings read it. */
export function bits<R>(row: object): R {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  return out as R;
}

/** `INSERT INTO table (a, b) VALUES ($1, $2)` and the values of `row` in that order. */
export function insertOf<C extends string>(table: string, columns: readonly C[], row: Record<C, unknown>, tail = ''): [string, unknown[]] {
  return [
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) ${tail}`,
    columns.map((c) => row[c]),
  ];
}
