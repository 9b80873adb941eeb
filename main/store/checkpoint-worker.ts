/**
 * The checkpointer's thread: its own connection to the database, copying the WAL back into the
 * database file (PASSIVE: never waits for, nor blocks, the writer) on a timer, so the fsync of
 * a checkpoint never lands inside a flush on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, nativeBinding, everyMs } = workerData as {
  file: string;
  nativeBinding?: string;
  everyMs: number;
};
const db = new Database(file, nativeBinding ? { nativeBinding } : {});
db.pragma('busy_timeout = 1000');

function checkpoint(): void {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    parentPort?.postMessage({ log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
}

const timer = setInterval(checkpoint, everyMs);
parentPort?.on('message', (m: unknown) => {
  if (m === 'checkpoint') checkpoint();
  if (m === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort?.close();
  }
});
