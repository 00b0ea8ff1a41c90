/**
 * @module device/errno
 * Negative errno values the simulated subsystems return, in Zephyr's numbering
 * (device.md G19: ETIMEDOUT is 116 there, not Linux's 110).
 */

/** Zephyr errno numbers used by the device models (positive; subsystems return the negation). */
export const Errno = {
  EIO: 5, // I/O error (sensor bus, HTTP non-2xx)
  ENODEV: 19, // no such device (MCP9808 ID mismatch)
  EACCES: 13, // the server refused the credentials (401/403)
  ENOSPC: 28, // no space (image larger than the secondary slot)
  EBADMSG: 77, // malformed server answer
  ECONNRESET: 104, // connection dropped mid-transfer
  ECONNREFUSED: 111,
  ENETUNREACH: 114,
  ENETDOWN: 115,
  ETIMEDOUT: 116,
  ENOTCONN: 128,
  EILSEQ: 138, // verification mismatch (size or SHA-256)
} as const;

export type ErrnoName = keyof typeof Errno;
