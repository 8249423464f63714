import { CommanderError } from 'commander';

/** An error message for the operator; ConfigError's message already names every problem. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Usage errors (unknown option, missing value) exit 2, like every other "could not run". */
export function usageExit(error: CommanderError): never {
  throw new CommanderError(error.exitCode === 0 ? 0 : 2, error.code, error.message);
}
