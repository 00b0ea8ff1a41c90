/**
 * @module image/sign-command
 * `slotwise image sign`: waits for the image module (image-core branch) to land.
 */
import { SlotwiseError } from '@slotwise/core/errors';
import type { ParsedArgs } from './args.js';
import type { CommandIo } from './io.js';

export async function sign(_args: ParsedArgs, _io: CommandIo): Promise<number> {
  throw new SlotwiseError('SW_ERR_INPUT_INVALID', 'sign is not available yet');
}
