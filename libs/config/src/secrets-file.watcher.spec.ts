import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeletSecretVolume } from '../../../test/support/kubelet-secret-volume.js';
import { watchSecretsFile, type SecretsFileWatcher } from './secrets-file.watcher.js';

const until = async (condition: () => boolean, ms = 3_000) => {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return condition();
};
const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

describe('watchSecretsFile', () => {
  let dir: string;
  let watcher: SecretsFileWatcher | undefined;
  let changes: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sigil-secrets-watch-'));
    changes = 0;
  });
  afterEach(() => {
    watcher?.close();
    watcher = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  // A poll far longer than the test: only the directory events can be what notices.
  const events = { pollIntervalMs: 3_600_000, debounceMs: 50 };

  it('notices the kubelet swapping a mounted Secret (..data renamed onto a new folder), once per swap', async () => {
    const volume = new KubeletSecretVolume(dir);
    volume.write({ 'secrets.env': 'SPIRAL_EVENT_SECRET=one\n' });
    watcher = watchSecretsFile(join(dir, 'secrets.env'), () => changes++, events);
    volume.write({ 'secrets.env': 'SPIRAL_EVENT_SECRET=two\n' });
    expect(await until(() => changes === 1)).toBe(true);
    await settle();
    expect(changes).toBe(1);
    volume.write({ 'secrets.env': 'SPIRAL_EVENT_SECRET=three\n' });
    expect(await until(() => changes === 2)).toBe(true);
  });

  it('ignores a swap or rewrite that leaves the content as it was', async () => {
    const volume = new KubeletSecretVolume(dir);
    volume.write({ 'secrets.env': 'SPIRAL_EVENT_SECRET=same\n' });
    watcher = watchSecretsFile(join(dir, 'secrets.env'), () => changes++, events);
    volume.write({ 'secrets.env': 'SPIRAL_EVENT_SECRET=same\n' });
    writeFileSync(join(dir, 'unrelated'), 'x');
    await settle();
    expect(changes).toBe(0);
  });

  it('notices a file renamed over the old one (rotate-spiral-secret.sh)', async () => {
    const file = join(dir, 'secrets.env');
    writeFileSync(file, 'SPIRAL_EVENT_SECRET=one\n');
    watcher = watchSecretsFile(file, () => changes++, events);
    writeFileSync(join(dir, '.secrets.env.tmp'), 'SPIRAL_EVENT_SECRET=two\n');
    renameSync(join(dir, '.secrets.env.tmp'), file);
    expect(await until(() => changes === 1)).toBe(true);
  });

  it('falls back to polling when no events arrive', async () => {
    const volume = new KubeletSecretVolume(dir);
    volume.write({ 'secrets.env': 'SPIRAL_EVENT_SECRET=one\n' });
    watcher = watchSecretsFile(join(dir, 'secrets.env'), () => changes++, {
      events: false,
      pollIntervalMs: 100,
    });
    await settle(250);
    expect(changes).toBe(0);
    volume.write({ 'secrets.env': 'SPIRAL_EVENT_SECRET=two\n' });
    expect(await until(() => changes === 1)).toBe(true);
  });

  it('after sync() a change that was already applied elsewhere (SIGHUP) calls nothing', async () => {
    const file = join(dir, 'secrets.env');
    writeFileSync(file, 'SPIRAL_EVENT_SECRET=one\n');
    watcher = watchSecretsFile(file, () => changes++, { events: false, pollIntervalMs: 100 });
    writeFileSync(file, 'SPIRAL_EVENT_SECRET=two\n');
    watcher.sync();
    await settle(300);
    expect(changes).toBe(0);
  });

  it('counts the file going missing, and coming back, as changes', async () => {
    const file = join(dir, 'secrets.env');
    writeFileSync(file, 'SPIRAL_EVENT_SECRET=one\n');
    watcher = watchSecretsFile(file, () => changes++, events);
    rmSync(file);
    expect(await until(() => changes === 1)).toBe(true);
    writeFileSync(file, 'SPIRAL_EVENT_SECRET=one\n');
    expect(await until(() => changes === 2)).toBe(true);
  });

  it('close() stops both the events and the poll', async () => {
    const file = join(dir, 'secrets.env');
    writeFileSync(file, 'SPIRAL_EVENT_SECRET=one\n');
    watcher = watchSecretsFile(file, () => changes++, { pollIntervalMs: 50, debounceMs: 10 });
    watcher.close();
    writeFileSync(file, 'SPIRAL_EVENT_SECRET=two\n');
    await settle(300);
    expect(changes).toBe(0);
  });
});
