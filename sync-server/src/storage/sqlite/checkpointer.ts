// WAL checkpoints on a thread of their own.
//
// SQLite's default is to checkpoint inside the commit that pushes the WAL over 1,000
// pages: that commit copies every page back into the database file and fsyncs it, on
// the connection's thread, which here is the event loop. A scan row touches ~10 pages
// (the table and its indexes), so at 1,000 scans/s that is ten checkpoints a second of
// a few ms each on this machine, and on a venue's SD card tens of ms each, during which
// no socket is read and no verdict is sent (bench/README.md, server.verdict.p99).
//
// Instead the server's connection runs with wal_autocheckpoint=0 and a worker thread
// with a connection of its own runs PASSIVE checkpoints on a timer: they copy what they
// can without taking the writer's lock, so commits on the loop never wait for them. The
// next commit after a complete checkpoint starts the WAL over from its beginning, so the
// file stays bounded. If the worker fails, the connection goes back to SQLite's own
// checkpoints: the file never grows without bound.
//
// The worker is plain JavaScript evaluated from a string, so that it runs the same under
// tsx, the test runner and anything else: it needs only better-sqlite3, resolved here.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How often the worker checkpoints. At 1,000 scans/s the WAL grows ~10 MB between two. */
export const CHECKPOINT_EVERY_MS = 250;
/** SQLite's default, restored if the worker stops unexpectedly. */
const DEFAULT_AUTOCHECKPOINT = 1000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  parentPort.postMessage({ kind: 'checkpoint', busy: r.busy, log: r.log, checkpointed: r.checkpointed });
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface CheckpointResult { busy: number; log: number; checkpointed: number }

export class Checkpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  #stopping = false;
  /** The last checkpoint the worker reported (tests, health). */
  last: CheckpointResult | null = null;

  constructor(db: Database.Database, onFailure: (error: unknown) => void, everyMs = CHECKPOINT_EVERY_MS) {
    db.pragma('wal_autocheckpoint = 0');
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file: db.name, everyMs } });
    this.#worker.unref();
    this.#worker.on('message', (m: CheckpointResult & { kind: string }) => { this.last = { busy: m.busy, log: m.log, checkpointed: m.checkpointed }; });
    const fallBack = (error: unknown) => {
      if (this.#stopping || !db.open) return;
      db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
      onFailure(error);
    };
    this.#worker.on('error', fallBack);
    this.#exited = new Promise((resolve) => this.#worker.once('exit', (code) => {
      if (!this.#stopping) fallBack(new Error(`checkpoint worker exited with code ${code}`));
      resolve();
    }));
  }

  /** Stop checkpointing and wait for the worker's connection to close. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#worker.ref(); // wait for it even if nothing else keeps this process alive
    this.#worker.postMessage('stop');
    await this.#exited;
  }
}
