/**
 * @module commands/image
 * `slotwise image …`: placeholder until the image module lands (issue 2).
 */
import { ExitCode } from '../exit-codes.js';

export async function run(_args: string[]): Promise<number> {
  process.stderr.write('slotwise image: not available yet\n');
  return ExitCode.FAILURE;
}
