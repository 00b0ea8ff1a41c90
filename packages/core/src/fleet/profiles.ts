/**
 * @module fleet/profiles
 * Client profiles: how a fleet device's OTA client talks DDI (hawkbit-ddi.md Part B), so the
 * server is exercised as real fleets exercise it.
 * - `slotwise`: our device itself (slotwise-device.ts runs the issue 5 reducer and its OTA task),
 *   so its behaviour is the reducer's (device.md §15.6): one poll when due from IDLE or WAIT,
 *   `chunksPerVisit` Range chunks of `chunkBytes` per WAIT visit (paced by the sample interval),
 *   no proceeding feedback, confirm on the first delivered sample after `healthDelayMs` of uptime
 *   (`confirm: 'health'`) or at BOOT (`'boot'`), a reset after `healthTimeoutMs` unconfirmed,
 *   closed success/failure (rollback) reports, §10 backoff 10/60/300 s on a separate OTA counter,
 *   ±10 % jitter on the check interval (G7's switch for fleet simulations; without it a fleet
 *   powered on together polls in one herd forever), RAM progress lost on reset. Only chunkBytes,
 *   chunksPerVisit, resume, confirm, healthDelayMs, healthTimeoutMs, jitter and defaultPollMs
 *   (the check interval before the server names one) are read, as OTA options; the other fields
 *   below state what the reducer does.
 * The light agent (device.ts) reads every switch for the foreign clients:
 * - `zephyr` (B.1): one GET per probe, no progress feedback, confirm on init (health =
 *   reaching hawkbit_init), reboot on an unconfirmed image, `closed/success` even after a
 *   rollback (quirk 9) with the running version as attribute, Range resume only with
 *   SAVE_PROGRESS (persisted), no jitter, same interval after errors.
 * - `swupdate` (B.2): HEAD then GET, resume with Range up to `retry` times `retrywait` apart,
 *   proceeding feedback per step, post-reboot success/failure to the stored action.
 * - `rauc` (B.3): polls every 5 s while an action runs, one-shot download with optional
 *   resume, proceeding feedback, `closed/success` right after install, before the reboot.
 */

export type ProfileName = 'slotwise' | 'zephyr' | 'swupdate' | 'rauc';

export interface ClientProfile {
  readonly name: ProfileName;
  /** Range chunk size; null: one GET for the rest of the file. */
  readonly chunkBytes: number | null;
  /** Chunks per WAIT visit before pausing `visitGapMs` (slotwise §15.6 G29). */
  readonly chunksPerVisit: number;
  readonly visitGapMs: number;
  /** Resume a broken download with Range from the bytes written. */
  readonly resume: boolean;
  /** Download progress survives a reset (Zephyr SAVE_PROGRESS); otherwise RAM only. */
  readonly persistProgress: boolean;
  /** Immediate retries of a broken download (SWUpdate `retry`), `retryWaitMs` apart. */
  readonly retries: number;
  readonly retryWaitMs: number;
  /** HEAD before GET (SWUpdate). */
  readonly headFirst: boolean;
  /** `proceeding` feedback while downloading and installing. */
  readonly progressFeedback: boolean;
  /** `closed/success` right after install, before the reboot (RAUC). */
  readonly successBeforeReboot: boolean;
  /** After a rollback: `failure` (honest), `success` (Zephyr quirk 9) or nothing (RAUC already reported). */
  readonly rollbackReport: 'failure' | 'success' | 'none';
  /** `boot`: confirm on init; `health`: confirm once the image has proven healthy. */
  readonly confirm: 'boot' | 'health';
  /** Uptime at which a healthy image confirms (health policy) or the client starts (boot policy). */
  readonly healthDelayMs: number;
  /** A test image not confirmed by then resets itself, so MCUboot reverts it. */
  readonly healthTimeoutMs: number;
  /** Reboot at the first probe when the running image is not confirmed (Zephyr, B.1.3 step 0). */
  readonly rebootIfUnconfirmed: boolean;
  /** Poll interval while an action is open (RAUC: 5 s); null: the server's sleep. */
  readonly activePollMs: number | null;
  /** Poll interval before the server named one. */
  readonly defaultPollMs: number;
  /** Client-side jitter of the poll interval, ± this fraction. */
  readonly jitter: number;
  /** Delay after a failed exchange: the §10 table, or the poll interval (Zephyr). */
  readonly errorBackoff: 'table' | 'interval';
  /** configData body mode (SWUpdate sends `replace`). */
  readonly configMode: 'merge' | 'replace';
  /** Feedback bodies carry `id` and `time` (SWUpdate: number id; RAUC: string id). */
  readonly feedbackId: 'none' | 'number' | 'string';
}

export type ProfileOverrides = Partial<Pick<ClientProfile, 'chunkBytes' | 'chunksPerVisit' | 'resume' | 'persistProgress' | 'healthTimeoutMs'>>;

export const CLIENT_PROFILES: Readonly<Record<ProfileName, ClientProfile>> = {
  slotwise: {
    name: 'slotwise',
    chunkBytes: 4096,
    chunksPerVisit: 16,
    visitGapMs: 60_000,
    resume: true,
    persistProgress: false,
    retries: 0,
    retryWaitMs: 0,
    headFirst: false,
    progressFeedback: false,
    successBeforeReboot: false,
    rollbackReport: 'failure',
    confirm: 'health',
    healthDelayMs: 62_000,
    healthTimeoutMs: 600_000,
    rebootIfUnconfirmed: false,
    activePollMs: null,
    defaultPollMs: 3_600_000,
    jitter: 0.1,
    errorBackoff: 'table',
    configMode: 'merge',
    feedbackId: 'none',
  },
  zephyr: {
    name: 'zephyr',
    chunkBytes: null,
    chunksPerVisit: 1,
    visitGapMs: 0,
    resume: true,
    persistProgress: true,
    retries: 0,
    retryWaitMs: 0,
    headFirst: false,
    progressFeedback: false,
    successBeforeReboot: false,
    rollbackReport: 'success',
    confirm: 'boot',
    healthDelayMs: 1_000,
    healthTimeoutMs: 600_000,
    rebootIfUnconfirmed: true,
    activePollMs: null,
    defaultPollMs: 300_000,
    jitter: 0,
    errorBackoff: 'interval',
    configMode: 'merge',
    feedbackId: 'none',
  },
  swupdate: {
    name: 'swupdate',
    chunkBytes: null,
    chunksPerVisit: 1,
    visitGapMs: 0,
    resume: true,
    persistProgress: false,
    retries: 5,
    retryWaitMs: 5_000,
    headFirst: true,
    progressFeedback: true,
    successBeforeReboot: false,
    rollbackReport: 'failure',
    confirm: 'health',
    healthDelayMs: 30_000,
    healthTimeoutMs: 300_000,
    rebootIfUnconfirmed: false,
    activePollMs: null,
    defaultPollMs: 45_000,
    jitter: 0,
    errorBackoff: 'interval',
    configMode: 'replace',
    feedbackId: 'number',
  },
  rauc: {
    name: 'rauc',
    chunkBytes: null,
    chunksPerVisit: 1,
    visitGapMs: 0,
    resume: true,
    persistProgress: false,
    retries: 3,
    retryWaitMs: 5_000,
    headFirst: false,
    progressFeedback: true,
    successBeforeReboot: true,
    rollbackReport: 'none',
    confirm: 'boot',
    healthDelayMs: 5_000,
    healthTimeoutMs: 300_000,
    rebootIfUnconfirmed: false,
    activePollMs: 5_000,
    defaultPollMs: 300_000,
    jitter: 0,
    errorBackoff: 'interval',
    configMode: 'merge',
    feedbackId: 'string',
  },
};

export function resolveProfile(name: ProfileName, overrides: ProfileOverrides = {}): ClientProfile {
  return { ...CLIENT_PROFILES[name], ...overrides };
}

/** §10 backoff table of our device (10 s ×3, 60 s ×3, then 300 s). */
export function backoffMs(retry: number): number {
  return retry < 3 ? 10_000 : retry < 6 ? 60_000 : 300_000;
}
