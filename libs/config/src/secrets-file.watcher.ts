import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

export interface SecretsFileWatchOptions {
  /**
   * The fallback: how often the file is read again whatever the events say, for filesystems where
   * inotify misses changes (some network and FUSE mounts) or a watch could not be set up.
   */
  pollIntervalMs?: number;
  /** A swap is a burst of events (kubelet renames a symlink and removes the old folder): wait for quiet. */
  debounceMs?: number;
  /** Set false to rely on polling alone (tests of the fallback). */
  events?: boolean;
}

export interface SecretsFileWatcher {
  /** Takes the file as it is now as the known state (after a reload that did not come from here). */
  sync(): void;
  close(): void;
}

export const SECRETS_POLL_INTERVAL_MS = 10_000;
const DEBOUNCE_MS = 250;

/**
 * Calls `onChange` when the content of the secrets file changes, however it was replaced: renamed over
 * (rotate-spiral-secret.sh), rewritten in place, or swapped the way the kubelet updates a mounted
 * Secret (the file is a symlink into `..data/`, and `..data` itself is a symlink the kubelet renames
 * atomically onto a new timestamped folder). The folder is watched, not the file: a watch on the file
 * would follow the old inode. Every event and every poll compares a digest of the content, so bursts
 * of events, touches and identical rewrites call nothing; an unreadable file counts as a state too
 * (the reload then reports it once).
 */
export function watchSecretsFile(
  path: string,
  onChange: () => void,
  options: SecretsFileWatchOptions = {},
): SecretsFileWatcher {
  const debounceMs = options.debounceMs ?? DEBOUNCE_MS;
  let known = fingerprint(path);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const check = () => {
    timer = undefined;
    if (closed) return;
    const now = fingerprint(path);
    if (now === known) return;
    known = now;
    onChange();
  };
  const soon = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
    timer.unref();
  };

  let watcher: FSWatcher | undefined;
  if (options.events !== false) {
    try {
      watcher = watch(dirname(path), { persistent: false }, soon);
      // A watch that breaks (the folder is unmounted, inotify limits) leaves the poll to do the work.
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined;
    }
  }
  const poll = setInterval(check, options.pollIntervalMs ?? SECRETS_POLL_INTERVAL_MS);
  poll.unref();

  return {
    sync: () => {
      known = fingerprint(path);
    },
    close: () => {
      closed = true;
      watcher?.close();
      clearInterval(poll);
      if (timer) clearTimeout(timer);
    },
  };
}

/** A digest of the content (never the content itself), or why it can't be read. */
function fingerprint(path: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch (error) {
    return `unreadable:${(error as NodeJS.ErrnoException).code ?? 'unknown'}`;
  }
}
