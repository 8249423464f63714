import { CommanderError, type Command } from 'commander';
import { ConfigError } from '#config';
import { UnsupportedStoreOperationError } from '#sigil';

/** A flag, or a combination of flags, the command cannot work with. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command would replace or drop something it was not told to (`--force`, or stop the service). */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
}

/** Failures that mean the command did not run at all: what it was asked cannot be done as given. */
const NOT_RUN = [UsageError, RefusedError, ConfigError, UnsupportedStoreOperationError];

/**
 * The one exit-code convention of every command. 0: done, and whatever was checked is fine.
 * 1: what was checked has problems (the report names them), or the work failed part-way.
 * 2: not run — a usage error, an invalid configuration, a refusal, a store that cannot do it.
 * A check (integrity-check, rotate-secret --verify-only) exits 2 on every failure to run, so its 1
 * always means "problems found" and a cron job can tell a damaged store from a failed run.
 */
function exitCodeOf(error: unknown, check: boolean): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  return check || NOT_RUN.some((type) => error instanceof type) ? 2 : 1;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Ends the process for a failure: the message on stderr as `sigil <command>: …` (commander has
 * printed its own usage message already), then the exit code. At once rather than when the event
 * loop drains: a store that failed half-way through opening must not keep a failed run alive.
 */
export function exitOnFailure(error: unknown, command?: string, check = false): never {
  if (!(error instanceof CommanderError)) {
    const refused = error instanceof RefusedError ? 'refused: ' : '';
    process.stderr.write(`sigil${command ? ` ${command}` : ''}: ${refused}${describeError(error)}\n`);
  }
  process.exit(exitCodeOf(error, check));
}

/**
 * A command's action, run under the convention above. `work` has printed its report when it
 * resolves: to false when what it checked has problems (exit 1), else to true or nothing (exit 0).
 * `isCheck` says which runs are checks.
 */
export function action<Options>(
  work: (options: Options) => Promise<boolean | void>,
  isCheck: (options: Options) => boolean = () => false,
): (options: Options, command: Command) => Promise<void> {
  return async (options, command) => {
    let ok: boolean | void;
    try {
      ok = await work(options);
    } catch (error) {
      exitOnFailure(error, command.name(), isCheck(options));
    }
    if (ok === false) process.exitCode = 1;
  };
}
