/**
 * @module command-errors
 * How a command group turns a thrown error into an exit code and one line on stderr: a command
 * line mistake is USAGE, a typed Slotwise error (`SW_ERR_…`) is BAD_INPUT with its code, and
 * anything else is a bug that propagates to main's internal-error handler.
 */
import { ExitCode } from './exit-codes.js';

/** A mistake on the command line; the message says what to write instead. */
export class UsageError extends Error {}

/** The exit code for `error` raised by `slotwise <group>`, after reporting it; rethrows bugs. */
export function exitCodeForError(group: string, error: unknown): number {
  const parseArgsError = error instanceof TypeError && (error as TypeError & { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
  if (error instanceof UsageError || parseArgsError) {
    process.stderr.write(`slotwise ${group}: ${error.message}\n`);
    return ExitCode.USAGE;
  }
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  if (typeof code === 'string' && code.startsWith('SW_ERR_')) {
    process.stderr.write(`slotwise ${group}: ${(error as Error).message} [${code}]\n`);
    return ExitCode.BAD_INPUT;
  }
  throw error;
}
