/**
 * @module device/ota/ddi
 * The small, device-side view of the hawkBit DDI exchanges the OTA task needs
 * (hawkbit-ddi.md A.5–A.9): requests as data, answers as discriminated results. A driver
 * adapter maps them onto the wire types of `protocol/` and onto HTTP; the reducer never sees
 * a URL scheme, a header or a status code, only these shapes and negative errnos.
 */

export type DdiRequest =
  | { readonly kind: 'poll' }
  | { readonly kind: 'deploymentBase'; readonly href: string }
  /** One HTTP Range chunk, `bytes=<fromByte>-<toByte>` (inclusive). */
  | { readonly kind: 'download'; readonly href: string; readonly fromByte: number; readonly toByte: number }
  | {
      readonly kind: 'feedback';
      readonly actionId: string;
      readonly execution: 'closed' | 'proceeding';
      readonly finished: 'success' | 'failure' | 'none';
      readonly details: readonly string[];
    }
  | { readonly kind: 'configData'; readonly data: Readonly<Record<string, string>> }
  /** Answer to a cancelAction (A.10): `closed` + success (stopped) or failure (already installed). */
  | { readonly kind: 'cancelFeedback'; readonly href: string; readonly finished: 'success' | 'failure' };

export type DdiRequestKind = DdiRequest['kind'];

/** What the OTA task learns from a deploymentBase answer (one chunk, one artifact, as Zephyr). */
export interface DeploymentInfo {
  readonly actionId: string;
  readonly version: string;
  readonly sizeBytes: number;
  /** Lower-case hex SHA-256 of the artifact file. */
  readonly sha256: string;
  readonly downloadHref: string;
}

export type DdiAnswer =
  | { readonly kind: 'poll'; readonly sleepMs: number; readonly deploymentBase?: string; readonly cancelAction?: string; readonly configData?: boolean }
  | { readonly kind: 'deploymentBase'; readonly deployment: DeploymentInfo }
  | { readonly kind: 'download'; readonly bytes: Uint8Array }
  | { readonly kind: 'ack' };

/** A DDI exchange either answered (2xx) or failed with a negative errno (transport or status). */
export type DdiResult = { readonly ok: true; readonly answer: DdiAnswer } | { readonly ok: false; readonly err: number };

/** The port a driver uses to carry DDI requests (in-process server, real HTTP, or a test fake). */
export interface DdiTransport {
  exchange(request: DdiRequest): Promise<DdiResult>;
}
