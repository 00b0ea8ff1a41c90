/**
 * @module protocol/ddi
 * The hawkBit DDI wire format (spec/hawkbit-ddi.md Part A) as plain TypeScript types, plus the
 * few pure helpers both ends need: the `HH:MM:SS` sleep format, action-id rules and the URL
 * layout below `/{tenant}/controller/v1/{controllerId}`. The server validates these shapes with
 * its own JSON schemas (packages/server/src/http/ddi-schemas.ts, checked against these types at
 * compile time); the device's OTA client parses them. No I/O here.
 */

/** `status.execution` values of a feedback message (A.8). */
export const DdiExecution = {
  CLOSED: 'closed',
  PROCEEDING: 'proceeding',
  CANCELED: 'canceled',
  SCHEDULED: 'scheduled',
  REJECTED: 'rejected',
  RESUMED: 'resumed',
  DOWNLOAD: 'download',
  DOWNLOADED: 'downloaded',
} as const;
export type DdiExecution = (typeof DdiExecution)[keyof typeof DdiExecution];

/** `status.result.finished` values (A.8). */
export const DdiFinished = { SUCCESS: 'success', FAILURE: 'failure', NONE: 'none' } as const;
export type DdiFinished = (typeof DdiFinished)[keyof typeof DdiFinished];

/** `deployment.download` / `deployment.update` values (A.6). */
export type DdiHandling = 'skip' | 'attempt' | 'forced';

export interface DdiLink {
  href: string;
}

/** Root resource (poll) response, A.5. `_links` is omitted when empty. */
export interface DdiPollResponse {
  config: { polling: { sleep: string } };
  _links?: {
    deploymentBase?: DdiLink;
    cancelAction?: DdiLink;
    confirmationBase?: DdiLink;
    installedBase?: DdiLink;
    configData?: DdiLink;
  };
}

export interface DdiArtifact {
  filename: string;
  size: number;
  hashes: { sha1: string; md5: string; sha256: string };
  _links: {
    'download-http': DdiLink;
    download?: DdiLink;
    'md5sum-http'?: DdiLink;
    md5sum?: DdiLink;
  };
}

export interface DdiChunk {
  part: string;
  version: string;
  name: string;
  artifacts: DdiArtifact[];
  metadata?: { key: string; value: string }[];
}

export interface DdiDeployment {
  download: DdiHandling;
  update: DdiHandling;
  maintenanceWindow?: 'available' | 'unavailable';
  chunks: DdiChunk[];
}

export interface DdiActionHistory {
  status: string;
  messages: string[];
}

/** `GET .../deploymentBase/{actionId}` and `GET .../installedBase/{actionId}` (A.6, A.11). */
export interface DdiDeploymentBase {
  id: string;
  deployment: DdiDeployment;
  actionHistory?: DdiActionHistory;
}

/** `GET .../confirmationBase/{actionId}` (A.12). */
export interface DdiConfirmationBase {
  id: string;
  confirmation: DdiDeployment;
  actionHistory?: DdiActionHistory;
}

/** `GET .../cancelAction/{actionId}` (A.10). */
export interface DdiCancelAction {
  id: string;
  cancelAction: { stopId: string };
}

/** Body of a deploymentBase or cancelAction feedback POST (A.8). Unknown fields are ignored. */
export interface DdiFeedback {
  timestamp?: number;
  /** Legacy fields every real client still sends; ignored by the server. */
  id?: string | number;
  time?: string;
  status: {
    execution: DdiExecution;
    result: { finished: DdiFinished; progress?: { cnt: number; of?: number } };
    code?: number;
    details?: string[];
  };
}

/** Body of `PUT .../configData` (A.9). */
export interface DdiConfigData {
  mode?: 'merge' | 'replace' | 'remove';
  data: Record<string, string>;
}

/** Body of `PUT .../installedBase` (A.11): the release the device is running. */
export interface DdiInstalledBasePut {
  name: string;
  version: string;
}

/** Body of `POST .../confirmationBase/{actionId}/feedback` (A.12). */
export interface DdiConfirmationFeedback {
  confirmation: 'confirmed' | 'denied';
  code?: number;
  details?: string[];
}

/** Attribute keys (configData) that name the running firmware version, in priority order. */
export const VERSION_ATTRIBUTE_KEYS = ['fw_version', 'fwVersion', 'firmware_version', 'swVersion'] as const;

/** Longest sleep a client can parse: `23:59:59` (A.5, B.2.1). */
export const MAX_SLEEP_SECONDS = 24 * 3600 - 1;

/** Formats seconds as the 8-character `HH:MM:SS` every client requires, clamped to [0, 23:59:59]. */
export function formatSleep(seconds: number): string {
  const s = Math.min(MAX_SLEEP_SECONDS, Math.max(0, Math.floor(seconds)));
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

/** Parses `HH:MM:SS` as Zephyr does (exactly 8 characters); null when malformed. */
export function parseSleep(text: string): number | null {
  const m = /^(\d{2}):([0-5]\d):([0-5]\d)$/.exec(text);
  if (m === null) return null;
  const h = Number(m[1]);
  if (h > 23) return null;
  return h * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/**
 * True when some Zephyr 4.x releases would misparse this action id in a cancelAction href
 * (B.1.3 step 3: the second digit being 0 makes the id parse as 0). The server skips such ids.
 */
export function isZephyrUnsafeActionId(id: number): boolean {
  const text = String(id);
  return text.length >= 2 && text[1] === '0';
}

/** Path of the DDI base resource for a device: `/{tenant}/controller/v1/{controllerId}`. */
export function ddiBasePath(tenant: string, controllerId: string): string {
  return `/${encodeURIComponent(tenant)}/controller/v1/${encodeURIComponent(controllerId)}`;
}

/** Extracts the numeric action id from a `deploymentBase`/`cancelAction` href; null if absent. */
export function actionIdFromHref(href: string, rel: 'deploymentBase' | 'cancelAction' | 'confirmationBase' | 'installedBase'): string | null {
  const m = new RegExp(`/${rel}/(\\d+)`).exec(href);
  return m === null ? null : (m[1] ?? null);
}
