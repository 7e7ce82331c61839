// What the SQLite modules share: the connection type and how to recognise a refused write.
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** A UNIQUE, NOT NULL, CHECK or FOREIGN KEY violation: the caller sent something wrong. */
export function isConstraintError(e: unknown): e is InstanceType<typeof Database.SqliteError> {
  return e instanceof Database.SqliteError && e.code.startsWith('SQLITE_CONSTRAINT');
}
