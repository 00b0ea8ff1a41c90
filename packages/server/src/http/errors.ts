/**
 * @module http/errors
 * The server's error-code registry (STYLE.md §4.7): every code the HTTP API can answer with,
 * its status and a one-line meaning. The body is always `{ code, message, requestId }`.
 * Codes are stable API, documented in docs/errors.md (a test keeps both in step); add, never
 * rename or reuse.
 */
import { SlotwiseError } from '@slotwise/core';

export const ServerErrorCode = {
  SW_ERR_AUTH_MISSING: { status: 401, meaning: 'No credential was sent (Authorization header or proxy certificate headers)' },
  SW_ERR_AUTH_INVALID: { status: 401, meaning: 'The credential is wrong, unknown, or belongs to another device' },
  SW_ERR_AUTH_MODE_DISABLED: { status: 401, meaning: 'The authentication mode used is not enabled for this tenant' },
  SW_ERR_REQUEST_INVALID: { status: 400, meaning: 'The request does not match the route schema (field type, enum, required field)' },
  SW_ERR_REQUEST_MALFORMED: { status: 400, meaning: 'The request body is not well-formed JSON' },
  SW_ERR_REQUEST_TOO_LARGE: { status: 413, meaning: 'The request body exceeds the configured size limit' },
  SW_ERR_REQUEST_MEDIA_TYPE: { status: 415, meaning: 'The Content-Type is not accepted by this route' },
  SW_ERR_ROUTE_NOT_FOUND: { status: 404, meaning: 'No route matches the method and path' },
  SW_ERR_TENANT_NOT_FOUND: { status: 404, meaning: 'The tenant does not exist' },
  SW_ERR_DEVICE_NOT_FOUND: { status: 404, meaning: 'The device (controllerId) is not registered' },
  SW_ERR_DEVICE_EXISTS: { status: 409, meaning: 'A device with this controllerId is already registered' },
  SW_ERR_DEVICE_ATTRIBUTES_INVALID: { status: 400, meaning: 'configData attributes break the key/value length or character rules' },
  SW_ERR_ACTION_NOT_FOUND: { status: 404, meaning: 'The action does not exist, is not this device’s, or is not in the state the resource needs' },
  SW_ERR_ACTION_GONE: { status: 410, meaning: 'The action is closed; stop reporting on it' },
  SW_ERR_ACTION_NOT_CANCELABLE: { status: 405, meaning: 'Cancel feedback for an action that is not being canceled' },
  SW_ERR_ACTION_CONFLICT: { status: 409, meaning: 'The device already has an active action' },
  SW_ERR_ACTION_QUOTA: { status: 429, meaning: 'Too many status entries for this action, or too many details in one' },
  SW_ERR_ARTIFACT_NOT_FOUND: { status: 404, meaning: 'The artifact does not exist or is not assigned to this device' },
  SW_ERR_ARTIFACT_NAME_INVALID: { status: 400, meaning: 'The artifact file name is empty, too long, or contains path separators or control characters' },
  SW_ERR_ARTIFACT_EMPTY: { status: 400, meaning: 'The uploaded artifact has no bytes' },
  SW_ERR_IMAGE_REJECTED: { status: 422, meaning: 'The MCUboot image failed parsing or verification (hash, signature, trusted key)' },
  SW_ERR_IMAGE_DOWNGRADE: { status: 409, meaning: 'The MCUboot image version is lower than the newest stored one and the downgrade guard is on' },
  SW_ERR_RANGE_NOT_SATISFIABLE: { status: 416, meaning: 'The Range header is malformed or lies outside the file' },
  SW_ERR_PRECONDITION_FAILED: { status: 412, meaning: 'If-Match does not match the artifact ETag' },
  SW_ERR_RELEASE_NOT_FOUND: { status: 404, meaning: 'The release (distribution set / software module) does not exist' },
  SW_ERR_RELEASE_EXISTS: { status: 409, meaning: 'A release with this name and version already exists' },
  SW_ERR_ROLLOUT_NOT_FOUND: { status: 404, meaning: 'The rollout does not exist' },
  SW_ERR_ROLLOUT_STATE: { status: 409, meaning: 'The rollout is not in a state that allows this operation' },
  SW_ERR_ROLLOUT_EMPTY: { status: 422, meaning: 'The rollout filter matches no device that needs the release' },
  SW_ERR_RATE_LIMITED: { status: 429, meaning: 'Too many requests from this address; retry after the polling interval' },
  SW_ERR_CONFIRMATION_ACTIVE: { status: 409, meaning: 'Auto-confirm is already active' },
  SW_ERR_SERVER_INTERNAL: { status: 500, meaning: 'An unexpected server error; the requestId finds it in the log' },
} as const;

export type ServerErrorCode = keyof typeof ServerErrorCode;

/** An error that becomes an HTTP answer with a registered code. */
export class ApiError extends SlotwiseError {
  readonly statusCode: number;
  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ApiError';
    this.statusCode = ServerErrorCode[code].status;
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  code: string;
  message: string;
  requestId: string;
}
