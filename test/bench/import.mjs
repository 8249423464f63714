// Legacy JSON import benchmark: `sigil import-json` over a folder of many small legacy files.
//
//   npx node test/bench/import.mjs [--files N] [--node-option FLAG]… [--rerun] [--keep]
//
// What it does (run `npm run build` first; it uses dist/):
//   1. makes a temp dir and writes N (default 1 000 000, `--files`) small legacy files of the three
//      shapes the old system wrote, in turn: the HTTP endpoint's `{...body, id, timestamp}`, the identity
//      subsystem's `sigil_<uuid>_<ms>.json` (each with its `.svg` sibling, which the import skips), and
//      the explicit `{id, timestamp, data, …}` (every tenth of those with an extra `version` member), over
//      three tenants;
//   2. runs the built CLI, `import-json --from <dir> --json --report <file>`, against a fresh LevelDB
//      in the temp dir (fsync on, the default), with the `--node-option` flags (e.g.
//      `--max-old-space-size=64`, to show the heap the run needs), sampling its memory from /proc;
//   3. prints files, seconds, files/s and peak RSS with its anonymous and file-backed parts (and, with
//      `--rerun`, the same for a second run, which finds everything unchanged), checks the totals, and
//      removes the temp dir (`--keep` keeps it). Any failure: exit 1.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(ROOT, 'dist/apps/sigil-cli/src/main.js');
const TENANTS = ['public', 'acme', 'globex'];
const WRITE_CONCURRENCY = 64;

function parseArgs(argv) {
  const options = { files: 1_000_000, rerun: false, keep: false, nodeOptions: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--files') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--files needs a positive whole number`);
      options.files = n;
    } else if (arg === '--node-option') {
      options.nodeOptions.push(argv[++i]);
    } else if (arg === '--rerun') options.rerun = true;
    else if (arg === '--keep') options.keep = true;
    else throw new Error(`unknown argument ${arg} (use --files N, --node-option FLAG, --rerun, --keep)`);
  }
  return options;
}

const pretty = (value) => `${JSON.stringify(value, null, 2)}\n`;

/** File `i` of the fixture folder: [name, content] pairs (an identity file comes with its .svg). */
function legacyFile(i) {
  const ms = 1_500_000_000_000 + i * 1000;
  const tenant = TENANTS[i % TENANTS.length];
  switch (i % 3) {
    case 0:
      return [
        [
          `sigil-${ms}.json`,
          pretty({
            message: `hello ${i}`,
            author: 'bench',
            ...(tenant === 'public' ? {} : { tenantId: tenant }),
            id: `sigil-${ms}`,
            timestamp: new Date(ms).toISOString(),
          }),
        ],
      ];
    case 1: {
      const id = randomUUID();
      const name = `sigil_${id}_${ms}`;
      return [
        [
          `${name}.json`,
          pretty({
            id,
            timestamp: ms,
            quantumSignature: `q${i.toString(16)}`,
            geometricPattern: [i % 7, i % 11, i % 13],
            colorSpectrum: ['#ff0000', '#00ff00'],
            temporalSeal: `seal-${i}`,
            consciousnessHash: `h${(i * 2654435761) >>> 0}`,
            resonanceFrequency: (i % 1000) / 10,
          }),
        ],
        [`${name}.svg`, `<svg xmlns="http://www.w3.org/2000/svg"><circle r="${i % 50}"/></svg>\n`],
      ];
    }
    default:
      return [
        [
          `explicit-${i}.json`,
          pretty({
            id: `explicit-${i}`,
            timestamp: new Date(ms).toISOString(),
            data: { n: i, note: 'ünïcødé ✓' },
            consciousnessState: { phi: 1.5, coherence: 0.7, awareness: 0.3 },
            signature: 'legacy-signature',
            ...(tenant === 'public' ? {} : { tenantId: tenant }),
            ...(i % 10 === 2 ? { version: 2 } : {}),
          }),
        ],
      ];
  }
}

async function writeFolder(folder, files) {
  await mkdir(folder, { recursive: true });
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < files; i = next++) {
      for (const [name, content] of legacyFile(i)) await writeFile(path.join(folder, name), content);
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
}

/**
 * Memory of a running process from /proc, sampled every 100 ms until it exits: VmHWM (the kernel's own
 * peak RSS, so only the last ≤ 100 ms can be missed) and the peaks of its two parts, RssAnon (the JS
 * heap and native allocations) and RssFile (mapped files: the node binary, LevelDB's mmapped tables).
 */
function sampleMemory(pid, exited) {
  const peak = { rss: 0, anon: 0, file: 0 };
  let done = false;
  void exited.then(() => (done = true));
  const kb = (status, field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return (async () => {
    while (!done) {
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        peak.rss = Math.max(peak.rss, kb(status, 'VmHWM'));
        peak.anon = Math.max(peak.anon, kb(status, 'RssAnon'));
        peak.file = Math.max(peak.file, kb(status, 'RssFile'));
      } catch {
        // Gone: the last sample stands.
      }
      await sleep(100);
    }
    return peak;
  })();
}

async function runImport(dir, folder, label, nodeOptions) {
  const report = path.join(dir, `${label}-report.jsonl`);
  const args = [...nodeOptions, CLI, 'import-json', '--from', folder, '--json', '--report', report];
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    SPIRAL_EVENT_SECRET: 'b0'.repeat(32),
    SIGIL_DB_PATH: path.join(dir, 'db'),
  };
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
    process.stderr.write(d);
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const memory = sampleMemory(child.pid, exited);
  const code = await exited;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`import exited with ${code}:\n${stderr}\n${stdout.slice(0, 4000)}`);
  return { seconds, memory: await memory, report: JSON.parse(stdout) };
}

const mib = (bytes) => Math.round(bytes / 2 ** 20);

function summary(label, files, { seconds, memory, report }) {
  return {
    run: label,
    files,
    seconds: Math.round(seconds * 10) / 10,
    filesPerSecond: Math.round(files / seconds),
    peakRssMiB: mib(memory.rss),
    peakRssAnonMiB: mib(memory.anon),
    peakRssFileMiB: mib(memory.file),
    totals: report.totals,
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build first`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sigil-import-bench-'));
  const folder = path.join(dir, 'consciousness-sigils');
  let ok = false;
  try {
    const writeStart = Date.now();
    await writeFolder(folder, options.files);
    const svgs = Math.floor((options.files + 1) / 3);
    process.stderr.write(
      `wrote ${options.files} legacy files (+ ${svgs} .svg) in ${((Date.now() - writeStart) / 1000).toFixed(1)} s under ${folder}\n`,
    );
    const results = [];
    const first = await runImport(dir, folder, 'first', options.nodeOptions);
    const expect = (label, totals, field) => {
      if (totals.files !== options.files || totals[field] !== options.files || totals.skipped !== svgs) {
        throw new Error(`${label} run: unexpected totals ${JSON.stringify(totals)}`);
      }
    };
    expect('first', first.report.totals, 'inserted');
    results.push(summary('first', options.files, first));
    if (options.rerun) {
      const second = await runImport(dir, folder, 'rerun', options.nodeOptions);
      expect('second', second.report.totals, 'unchanged');
      results.push(summary('rerun', options.files, second));
    }
    process.stdout.write(
      `${JSON.stringify({ node: process.version, cpus: os.cpus().length, results }, null, 2)}\n`,
    );
    ok = true;
  } finally {
    if (ok && !options.keep) await rm(dir, { recursive: true, force: true });
    else process.stderr.write(`kept ${dir}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`import bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
