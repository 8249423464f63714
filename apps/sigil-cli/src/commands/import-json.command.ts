/**
 * `sigil import-json`: imports legacy sigils, one JSON file per sigil, into the service's store.
 *
 * Accepted file shape (`*.json` directly in the folder, UTF-8; anything else is a per-file error):
 *   {
 *     "id":        string, 1–200 chars            the legacy id (kept as the tag `legacy:<id>`, cut to 50 chars)
 *     "timestamp": ISO-8601 time with a zone ("2024-01-02T03:04:05Z", "…+02:00") or epoch milliseconds (integer)
 *     "data":      a JSON object with at least one key (≤ SIGIL_MAX_DATA_BYTES canonical)
 *     "consciousnessState"?: { phi: 0–10, coherence: 0–1, awareness: 0–1, resonance?: 0–1 }
 *     "signature"?: string   legacy signature: ignored, the sigil is re-signed under the active key
 *     "tenantId"?:  string   [A-Za-z0-9._-]{1,64}; else DEFAULT_TENANT
 *   }
 * Any other member makes the file invalid (nothing is silently dropped).
 *
 * Each valid file becomes a sigil minted by the service's own rule (mintSigil): createdAt = the
 * timestamp normalized to ISO ms, createdBy `legacy-import`, metadata
 * `{source: 'legacy-json', tags: ['legacy', 'legacy:<id>']}`, expiresAt null. Its id is deterministic,
 * so a re-run is idempotent: `sigil_` + a ULID whose 48-bit time part is the legacy timestamp and whose
 * 80-bit random part is the first 80 bits of SHA-256("sigil-dna/legacy-json\0" + tenantId + "\0" +
 * legacyId), both in Crockford base32. Records are written with `restore` (inserted / unchanged /
 * conflict); an invalid file writes nothing and does not stop the others. Exit 1 when any file was
 * invalid or conflicted.
 */
import { createHash } from 'node:crypto';
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ensureDevMaterial, parseConfig, TENANT_ID_PATTERN } from '#config';
import { canonicalJson, checkIntegrity, mintSigil, type KeyRing } from '#sigil';
import {
  LevelSigilRepository,
  recordsOf,
  type ConsciousnessState,
  type RestoreOutcome,
  type SigilRecord,
  type SigilRepository,
} from '#storage';
import { withOps } from '../ops-context.js';
import { startProgress } from '../progress.js';

export const LEGACY_CREATED_BY = 'legacy-import';
export const LEGACY_SOURCE = 'legacy-json';
const ID_SALT = 'sigil-dna/legacy-json';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_ULID_TIME = 2 ** 48 - 1;
const ALLOWED = new Set(['id', 'timestamp', 'data', 'consciousnessState', 'signature', 'tenantId']);
const STATE_RANGES: Record<string, number> = { phi: 10, coherence: 1, awareness: 1, resonance: 1 };
/** ISO-8601 date-time with an explicit zone: a zone-less time would depend on the machine's TZ. */
const ISO_WITH_ZONE = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

export type ImportOutcome = RestoreOutcome | 'would-insert' | 'invalid';

export interface ImportFileReport {
  file: string;
  /** SHA-256 (hex) of the file's bytes, as `sha256sum` prints it. */
  sha256: string;
  legacyId: string | null;
  tenantId: string | null;
  sigilId: string | null;
  outcome: ImportOutcome;
  errors?: string[];
}

export interface ImportReport {
  dryRun: boolean;
  from: string;
  store: string;
  backup: string | null;
  files: ImportFileReport[];
  totals: Record<ImportOutcome, number> & { files: number };
  ok: boolean;
}

/** A validated legacy file, ready to mint. */
export interface LegacySigil {
  legacyId: string;
  tenantId: string;
  createdAtMs: number;
  data: Record<string, unknown>;
  consciousnessState?: ConsciousnessState;
}

function base32(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

/** The deterministic sigil id of a legacy sigil (see the comment at the top of this file). */
export function legacySigilId(tenantId: string, legacyId: string, timeMs: number): string {
  const hash = createHash('sha256').update(`${ID_SALT}\0${tenantId}\0${legacyId}`, 'utf8').digest();
  const random = BigInt(`0x${hash.subarray(0, 10).toString('hex')}`);
  return `sigil_${base32(BigInt(timeMs), 10)}${base32(random, 16)}`;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one parsed file; returns the sigil or every problem found (never a partial result). */
export function parseLegacy(
  value: unknown,
  defaultTenant: string,
  maxDataBytes: number,
): { ok: true; sigil: LegacySigil } | { ok: false; errors: string[]; legacyId: string | null } {
  if (!isPlainObject(value)) return { ok: false, errors: ['not a JSON object'], legacyId: null };
  const errors: string[] = [];
  for (const key of Object.keys(value)) if (!ALLOWED.has(key)) errors.push(`unknown field "${key}"`);

  const { id, timestamp, data, consciousnessState, signature, tenantId } = value;
  const legacyId = typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : null;
  if (legacyId === null) errors.push('id: must be a string of 1–200 characters');

  let createdAtMs = Number.NaN;
  if (typeof timestamp === 'number') {
    if (Number.isInteger(timestamp)) createdAtMs = timestamp;
  } else if (typeof timestamp === 'string' && ISO_WITH_ZONE.test(timestamp)) {
    createdAtMs = Date.parse(timestamp);
  }
  if (!(createdAtMs >= 0 && createdAtMs <= MAX_ULID_TIME)) {
    errors.push('timestamp: must be an ISO-8601 time with a zone or integer epoch milliseconds (≥ 1970)');
  }

  if (!isPlainObject(data) || Object.keys(data).length === 0) {
    errors.push('data: required, a JSON object with at least one key');
  } else {
    try {
      const size = Buffer.byteLength(canonicalJson(data), 'utf8');
      if (size > maxDataBytes)
        errors.push(`data: canonical JSON is ${size} bytes, over the ${maxDataBytes} limit`);
    } catch (error) {
      errors.push(`data: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  let state: ConsciousnessState | undefined;
  if (consciousnessState !== undefined) {
    if (!isPlainObject(consciousnessState)) {
      errors.push('consciousnessState: must be an object {phi, coherence, awareness, resonance?}');
    } else {
      for (const key of Object.keys(consciousnessState)) {
        if (!(key in STATE_RANGES)) errors.push(`consciousnessState: unknown field "${key}"`);
      }
      for (const [key, max] of Object.entries(STATE_RANGES)) {
        const v = consciousnessState[key];
        if (v === undefined && key === 'resonance') continue;
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
          errors.push(
            `consciousnessState.${key}: ${key === 'resonance' ? 'if given, ' : 'required, '}a number in [0, ${max}]`,
          );
        }
      }
      state = consciousnessState as unknown as ConsciousnessState;
    }
  }
  if (signature !== undefined && typeof signature !== 'string') errors.push('signature: must be a string');
  if (tenantId !== undefined && (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId))) {
    errors.push('tenantId: must match [A-Za-z0-9._-]{1,64}');
  }

  if (errors.length > 0) return { ok: false, errors, legacyId };
  return {
    ok: true,
    sigil: {
      legacyId: legacyId!,
      tenantId: (tenantId as string | undefined) ?? defaultTenant,
      createdAtMs,
      data: data as Record<string, unknown>,
      ...(state ? { consciousnessState: state } : {}),
    },
  };
}

/** The record a legacy sigil becomes: the service's minting rule with import-fixed id, time and author. */
export function mintLegacy(legacy: LegacySigil, keys: KeyRing): SigilRecord {
  return mintSigil(
    {
      id: legacySigilId(legacy.tenantId, legacy.legacyId, legacy.createdAtMs),
      tenantId: legacy.tenantId,
      createdAt: new Date(legacy.createdAtMs).toISOString(),
      createdBy: LEGACY_CREATED_BY,
      data: legacy.data,
      consciousnessState: legacy.consciousnessState,
      metadata: { source: LEGACY_SOURCE, tags: ['legacy', `legacy:${legacy.legacyId}`.slice(0, 50)] },
      expiresAt: null,
    },
    keys,
  );
}

/**
 * What a stored record with this id means for the import. Identical → unchanged. The same minted
 * sigil that was later revoked (e.g. by cleanup-duplicates) or re-signed by a secret rotation — every
 * minted field equal and the record intact under the ring — is also unchanged; anything else conflicts.
 */
function judgeExisting(existing: SigilRecord, minted: SigilRecord, keys: KeyRing): 'unchanged' | 'conflict' {
  const mintedPart = (r: SigilRecord) => {
    const {
      kid: _k,
      signature: _s,
      authHash: _a,
      revokedAt: _ra,
      revokedBy: _rb,
      revocationReason: _rr,
      ...rest
    } = r;
    return canonicalJson(rest);
  };
  if (canonicalJson(existing) === canonicalJson(minted)) return 'unchanged';
  return mintedPart(existing) === mintedPart(minted) &&
    checkIntegrity(existing, existing.tenantId, keys) === null
    ? 'unchanged'
    : 'conflict';
}

interface LoadedFile {
  file: string;
  sha256: string;
  parsed: ReturnType<typeof parseLegacy>;
}

async function loadFolder(
  folder: string,
  defaultTenant: string,
  maxDataBytes: number,
): Promise<LoadedFile[]> {
  const names = (await readdir(folder, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.json'))
    .map((e) => e.name)
    .sort();
  const loaded: LoadedFile[] = [];
  for (const name of names) {
    const bytes = await readFile(join(folder, name));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      const why = error instanceof SyntaxError ? 'not valid JSON' : 'not valid UTF-8';
      loaded.push({ file: name, sha256, parsed: { ok: false, errors: [why], legacyId: null } });
      continue;
    }
    loaded.push({ file: name, sha256, parsed: parseLegacy(value, defaultTenant, maxDataBytes) });
  }
  return loaded;
}

/**
 * Imports the files into `repo` (null in a dry run against a store that doesn't exist yet: everything
 * would be inserted). A dry run reads only.
 */
export async function importLegacy(
  files: LoadedFile[],
  repo: SigilRepository | null,
  keys: KeyRing | null,
  dryRun: boolean,
): Promise<ImportFileReport[]> {
  const reports: ImportFileReport[] = [];
  /** Ids minted earlier in this dry run, so two files for one sigil report like a real run would. */
  const seen = new Map<string, SigilRecord | null>();
  const progress = startProgress(dryRun ? 'checking' : 'importing', files.length);
  try {
    for (const { file, sha256, parsed } of files) {
      if (!parsed.ok) {
        reports.push({
          file,
          sha256,
          legacyId: parsed.legacyId,
          tenantId: null,
          sigilId: null,
          outcome: 'invalid',
          errors: parsed.errors,
        });
        progress.increment();
        continue;
      }
      const legacy = parsed.sigil;
      const sigilId = legacySigilId(legacy.tenantId, legacy.legacyId, legacy.createdAtMs);
      const base = { file, sha256, legacyId: legacy.legacyId, tenantId: legacy.tenantId, sigilId };
      let outcome: ImportOutcome;
      const minted = keys ? mintLegacy(legacy, keys) : null;
      if (!repo || !minted || !keys) {
        outcome = seen.has(sigilId) ? 'unchanged' : 'would-insert';
        seen.set(sigilId, null);
      } else if (dryRun) {
        const existing = seen.get(sigilId) ?? (await repo.findById(legacy.tenantId, sigilId));
        outcome = existing ? judgeExisting(existing, minted, keys) : 'would-insert';
        if (!existing) seen.set(sigilId, minted);
      } else {
        outcome = await repo.restore(legacy.tenantId, minted);
        if (outcome === 'conflict') {
          const existing = await repo.findById(legacy.tenantId, sigilId);
          if (existing) outcome = judgeExisting(existing, minted, keys);
        }
      }
      reports.push({ ...base, outcome });
      progress.increment();
    }
  } finally {
    progress.stop();
  }
  return reports;
}

function totalsOf(files: ImportFileReport[]): ImportReport['totals'] {
  const totals: ImportReport['totals'] = {
    files: files.length,
    inserted: 0,
    unchanged: 0,
    conflict: 0,
    'would-insert': 0,
    invalid: 0,
  };
  for (const f of files) totals[f.outcome]++;
  return totals;
}

/**
 * Copies the LevelDB folder while this process holds its LOCK and before anything is written, so the
 * copy is a consistent store. A file LevelDB's background compaction removes mid-copy makes the copy
 * start over; the copy is then opened and its record count checked against the live store.
 */
async function backupLevel(repo: SigilRepository, path: string): Promise<string> {
  const target = `${resolve(path)}.backup-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await cp(path, target, { recursive: true, errorOnExist: true, force: false });
      break;
    } catch (error) {
      await rm(target, { recursive: true, force: true });
      if (attempt >= 3)
        throw new Error(
          `backup to ${target} failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
    }
  }
  const copy = await LevelSigilRepository.open({ path: target });
  try {
    const [live, copied] = [await countAll(repo), await countAll(copy)];
    if (live !== copied) throw new Error(`backup ${target} holds ${copied} sigils, the store ${live}`);
  } finally {
    await copy.close();
  }
  return target;
}

async function countAll(repo: SigilRepository): Promise<number> {
  let n = 0;
  for await (const tenantId of repo.tenants()) for await (const _ of recordsOf(repo, tenantId)) n++;
  return n;
}

export interface ImportOptions {
  from: string;
  dryRun: boolean;
  backup: boolean;
}

export async function runImport(options: ImportOptions, env = process.env): Promise<ImportReport> {
  const config = parseConfig(env, ensureDevMaterial);
  const from = resolve(options.from);
  if (!existsSync(from)) throw new Error(`no legacy folder at ${from}`);
  const files = await loadFolder(from, config.tenancy.defaultTenant, config.sigil.maxDataBytes);
  const storage = config.storage;
  const store = storage.kind === 'leveldb' ? `leveldb:${resolve(storage.path)}` : storage.kind;
  if (options.backup && storage.kind !== 'leveldb') {
    throw new Error(
      '--backup copies a LevelDB folder; this store is ' + storage.kind + ' (back it up with its own tools)',
    );
  }
  const finish = (reports: ImportFileReport[], backup: string | null): ImportReport => {
    const totals = totalsOf(reports);
    return {
      dryRun: options.dryRun,
      from,
      store,
      backup,
      files: reports,
      totals,
      ok: totals.invalid === 0 && totals.conflict === 0,
    };
  };
  // A dry run never creates a store that isn't there.
  if (options.dryRun && storage.kind === 'leveldb' && !existsSync(storage.path)) {
    return finish(await importLegacy(files, null, null, true), null);
  }
  return withOps(async ({ repository, keys }) => {
    let backup: string | null = null;
    if (options.backup && !options.dryRun && storage.kind === 'leveldb')
      backup = await backupLevel(repository, storage.path);
    return finish(await importLegacy(files, repository, keys, options.dryRun), backup);
  }, env);
}

function printReport(report: ImportReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const t = report.totals;
  const lines = [
    `${report.dryRun ? 'dry run: ' : ''}${t.files} file${t.files === 1 ? '' : 's'} from ${report.from} into ${report.store}`,
    ...(report.backup ? [`  backup: ${report.backup}`] : []),
    ...report.files.map((f) =>
      f.outcome === 'invalid'
        ? `  INVALID  ${f.file} (sha256 ${f.sha256}): ${f.errors?.join('; ')}`
        : `  ${f.outcome.padEnd(12)} ${f.file} (sha256 ${f.sha256}) ${f.tenantId}/${f.legacyId} → ${f.sigilId}`,
    ),
    report.dryRun
      ? `  would insert ${t['would-insert']}, already there ${t.unchanged}, conflicting ${t.conflict}, invalid ${t.invalid}`
      : `  inserted ${t.inserted}, already there ${t.unchanged}, conflicting ${t.conflict}, invalid ${t.invalid}`,
    report.ok ? 'result: OK' : 'result: FAILED',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const HELP = `
Accepted files: every *.json directly in --from, one sigil each:
  {"id": "<legacy id>", "timestamp": "<ISO-8601 with zone>" | <epoch ms>,
   "data": {<non-empty object>},
   "consciousnessState"?: {"phi": 0-10, "coherence": 0-1, "awareness": 0-1, "resonance"?: 0-1},
   "signature"?: "<legacy, ignored: re-signed under the active key>",
   "tenantId"?: "<tenant>" (else DEFAULT_TENANT)}
Other members make a file invalid. Sigil id = sigil_ + ULID(time = timestamp, random = first 80 bits
of SHA-256("sigil-dna/legacy-json\\0" + tenant + "\\0" + legacy id)), so re-runs are idempotent;
createdBy "legacy-import", metadata {source: "legacy-json", tags: ["legacy", "legacy:<id>" (≤ 50 chars)]}.
Writes go to the service's store (SIGIL_STORAGE / SIGIL_DB_PATH / DATABASE_URL); stop the service
first on LevelDB. Exit 1 when any file was invalid or conflicted.`;

export function registerImportJsonCommand(program: Command): void {
  program
    .command('import-json')
    .description(
      'import legacy JSON sigils (one file per sigil) into the store, re-signed under the active key',
    )
    .option('--from <dir>', 'folder of legacy JSON files', './consciousness-sigils')
    .option('--dry-run', 'report what would be imported; write nothing', false)
    .option(
      '--backup',
      'first copy the LevelDB folder to <path>.backup-<time> (under its LOCK, before writing)',
      false,
    )
    .option('--json', 'print the report as JSON on stdout', false)
    .addHelpText('after', HELP)
    .action(async (options: ImportOptions & { json: boolean }) => {
      const report = await runImport(options);
      printReport(report, options.json);
      if (!report.ok) process.exitCode = 1;
    });
}
