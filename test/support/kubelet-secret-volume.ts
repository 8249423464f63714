import { mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A Kubernetes Secret volume as the kubelet lays it out and updates it (its AtomicWriter): the data in
 * a timestamped folder, `..data` a symlink to that folder, and each key a symlink `key → ..data/key`.
 * An update writes a new timestamped folder, points a `..data_tmp` symlink at it, renames that over
 * `..data` (one atomic step: a reader sees the old files or the new ones, never a mix) and removes the
 * old folder. The keys' own symlinks never change.
 */
export class KubeletSecretVolume {
  private generation = 0;

  constructor(readonly dir: string) {}

  /** Writes (or replaces) every key at once; the files are 0644 as the kubelet's default mode leaves them. */
  write(files: Record<string, string>): void {
    const previous = this.generation > 0 ? readlinkSync(join(this.dir, '..data')) : undefined;
    const folder = `..${new Date().toISOString().replace(/[-:.]/g, '_')}.${++this.generation}`;
    mkdirSync(join(this.dir, folder), { recursive: true });
    for (const [key, content] of Object.entries(files)) {
      writeFileSync(join(this.dir, folder, key), content, { mode: 0o644 });
    }
    symlinkSync(folder, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    for (const key of Object.keys(files)) {
      try {
        symlinkSync(join('..data', key), join(this.dir, key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    if (previous) rmSync(join(this.dir, previous), { recursive: true, force: true });
  }
}
