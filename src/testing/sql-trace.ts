/**
 * Which commits are durable: a statement log (openDatabase's `verbose`) cut into transactions, each with the
 * `synchronous` setting it committed under. FULL fsyncs the WAL at the commit; NORMAL leaves it to the next durable
 * commit or checkpoint (`relaxed()` in src/core/store/db.ts, docs/performance.md "Commits and fsync").
 */
export interface TracedCommit {
  synchronous: 'FULL' | 'NORMAL';
  statements: string[];
}

export function commitsIn(log: readonly string[]): TracedCommit[] {
  const commits: TracedCommit[] = [];
  let synchronous: TracedCommit['synchronous'] = 'FULL';
  let open: string[] | null = null;
  for (const sql of log) {
    const setting = /^PRAGMA synchronous = (FULL|NORMAL)$/i.exec(sql.trim());
    if (setting) synchronous = (setting[1] as string).toUpperCase() as TracedCommit['synchronous'];
    else if (/^BEGIN\b/i.test(sql)) open = [];
    else if (/^COMMIT\b/i.test(sql) && open) {
      commits.push({ synchronous, statements: open });
      open = null;
    } else if (/^ROLLBACK\b/i.test(sql)) open = null;
    else open?.push(sql);
  }
  return commits;
}

/** The commits whose statements include one matching `pattern`. */
export function commitsWith(log: readonly string[], pattern: RegExp): TracedCommit[] {
  return commitsIn(log).filter((c) => c.statements.some((s) => pattern.test(s)));
}
