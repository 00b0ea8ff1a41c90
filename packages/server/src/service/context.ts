/**
 * @module service/context
 * What every service receives: the store, the time and randomness ports, the id generator and
 * the logger. Nothing here knows about HTTP; services throw ApiError for operational failures
 * only because the HTTP layer maps them 1:1 (the codes are the API's contract).
 */
import type { Clock, Random } from '@slotwise/core';
import type { Store } from '../store/store.js';

/** Generates secrets and ids. Production: node:crypto; simulations: seeded. */
export interface IdGenerator {
  /** 32 alphanumerics (hawkBit target-token format; Zephyr's buffer is 32 bytes). */
  token(): string;
  /** An admin API key (`sw_` + 40 alphanumerics). */
  apiKey(): string;
}

/** The logging surface services use (a pino logger satisfies it). */
export interface ServiceLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ServiceContext {
  store: Store;
  clock: Clock;
  random: Random;
  ids: IdGenerator;
  log: ServiceLog;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An IdGenerator drawing from a Random port (seeded in simulations). */
export function createIdGenerator(random: Random): IdGenerator {
  const draw = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += ALPHANUMERIC[random.below(ALPHANUMERIC.length)];
    return s;
  };
  return { token: () => draw(32), apiKey: () => `sw_${draw(40)}` };
}
