import { randomBytes } from 'node:crypto';
import { chmod, chown, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';

/** True when `path` is missing or an empty directory: a target that can be written without losing anything. */
export async function isEmptyOrMissing(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    return info.isDirectory() && (await readdir(path)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * Writes `content` to a temporary file beside `path`, then renames it over `path`: a reader (the
 * textfile collector, a service re-reading secrets) sees the old file or the new one, never half.
 * `owner` gives the new file that owner before the swap (as root), so a reader that could read the
 * old file can read the new one.
 */
export async function writeFileAtomic(
  path: string,
  content: string,
  mode = 0o644,
  owner?: { uid: number; gid: number },
): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, content, { mode, flush: true });
    // writeFile's mode is masked by the umask; the file must end up exactly as asked.
    await chmod(tmp, mode);
    if (owner) await chown(tmp, owner.uid, owner.gid);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
