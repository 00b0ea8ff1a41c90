/**
 * @module exit-codes
 * What `slotwise` exit codes mean, for every command. Scripts depend on these: never renumber.
 */
export const ExitCode = {
  OK: 0,
  /** The command ran and the answer is "no": verification failed, a sweep found a brick. */
  FAILURE: 1,
  /** The command line was wrong: unknown option, missing argument, value out of range. */
  USAGE: 2,
  /** An input could not be used: unreadable file, malformed image, bad key. */
  BAD_INPUT: 3,
  /** A simulated power cut stopped the run (`flash boot --cut-at`). */
  POWER_LOST: 4,
  /** The server or a network peer failed. */
  UNAVAILABLE: 5,
  /** An unexpected internal error: a bug, please report it. */
  INTERNAL: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
