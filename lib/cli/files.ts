/**
 * Files as the commands read and write them: whole-file reads with one-line errors, and atomic
 * writes (a temporary file beside the target, flushed to disk, then renamed over it, so a crash
 * leaves the old file or the new one, never half of one). A registry is written under a lock
 * file, so two publishes cannot interleave.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cliError, EXIT, fileError } from './errors.js';

/** The file's bytes; a missing file, a folder or no permission is exit 3 naming it. */
export function readBytes(file: string): Uint8Array {
  try {
    if (statSync(file).isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw fileError(e, file, 'read');
  }
}

export function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform can sync a folder (Windows); the rename itself is still atomic.
  }
}

/** The temporary name a write of `file` goes through. */
export function tempName(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
}

/**
 * Writes `data` to `file` atomically: temp file, fsync, rename, fsync of the folder.
 * `beforeRename` runs once the temporary file is complete.
 */
export function writeAtomic(file: string, data: Uint8Array | string, beforeRename?: () => void): void {
  const tmp = tempName(file);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    beforeRename?.();
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written, or it is gone already
    }
    throw fileError(e, file, 'write');
  }
  syncFolder(dirname(file));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Takes `<file>.lock` (created exclusively, holding this process's id) and returns its release.
 * A lock whose process is gone (a publish that was killed) is taken over; a live one is exit 8.
 */
export function lock(file: string): () => void {
  const path = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw fileError(e, path, 'write');
      let pid = NaN;
      try {
        pid = Number(readFileSync(path, 'utf8').trim());
      } catch {
        // removed meanwhile: try again
      }
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw cliError(EXIT.refused, 'INVALID_ARGUMENT', `Another publish (process ${pid}) is writing ${JSON.stringify(file)}: its lock ${JSON.stringify(path)} is held. Wait for it, or delete the lock file if no publish is running.`, { file });
      }
      try {
        unlinkSync(path);
      } catch {
        // another process took it over first
      }
    }
  }
  throw cliError(EXIT.refused, 'INVALID_ARGUMENT', `Could not take the lock ${JSON.stringify(path)} of ${JSON.stringify(file)}: another publish keeps taking it.`, { file });
}
