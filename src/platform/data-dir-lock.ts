import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';

/** Another process holds the data directory. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number | null,
  ) {
    super(`data directory ${dir} is in use by another haven serve (${pid === null ? 'pid unknown' : `pid ${pid}`}); stop it first or pass another --data-dir`);
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  /** Idempotent; also run on process exit. */
  release(): void;
}

/**
 * Takes the data directory for this process alone. The lock is SQLite's own exclusive file lock
 * on `serve.lock` (an fcntl lock), held while the connection is open: the kernel drops it when
 * the process ends however it ends (kill -9 included), so there is never a stale lock to guess
 * about, and a pid that was reused never blocks a start. `serve.pid` names the holder for the
 * refusal message. Other tools (haven user ...) open haven.db directly and are not locked out.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'serve.pid');
  const db = new SQLite(join(dir, 'serve.lock'), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; EXCLUSIVE locking mode keeps it until close.
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER); COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    throw new DataDirLockedError(dir, await holderPid(pidFile));
  }
  writeFileSync(pidFile, `${process.pid}\n`);

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (holderPidNow(pidFile) === process.pid) rmSync(pidFile, { force: true });
    db.close();
  };
  process.on('exit', release);
  return { release };
}

function holderPidNow(pidFile: string): number | null {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The holder writes its pid just after taking the lock: give it a moment to appear. */
async function holderPid(pidFile: string): Promise<number | null> {
  for (let i = 0; i < 20; i++) {
    const pid = holderPidNow(pidFile);
    if (pid !== null && pid !== process.pid) return pid;
    await sleep(50);
  }
  return null;
}
