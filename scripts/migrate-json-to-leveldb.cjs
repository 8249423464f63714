#!/usr/bin/env node
// Imports legacy JSON sigils (one file per sigil, default folder ./consciousness-sigils) into the
// service's store (LevelDB at SIGIL_DB_PATH unless configured otherwise), re-signed under the active
// key, idempotently. Stop the service first (LevelDB allows one process). Usage:
//   scripts/migrate-json-to-leveldb.cjs [--from ./consciousness-sigils] [--dry-run] [--backup] [--report FILE] [--json]
// The accepted file shapes and the id rule: `sigil import-json --help`. Exit 1 if any file failed.
// A thin wrapper: runs the built CLI (building dist/ first if missing) with the project's pinned Node.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: the runbook names a .cjs */
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '..');
const cli = path.join(repo, 'dist', 'apps', 'sigil-cli', 'src', 'main.js');
const node = path.join(repo, 'node_modules', '.bin', 'node');

if (!existsSync(cli)) {
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: repo, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const run = spawnSync(node, ['--', cli, 'import-json', ...process.argv.slice(2)], { stdio: 'inherit' });
if (run.error) {
  process.stderr.write(`migrate-json-to-leveldb: ${run.error.message}\n`);
  process.exit(1);
}
if (run.signal) process.kill(process.pid, run.signal);
process.exit(run.status ?? 1);
