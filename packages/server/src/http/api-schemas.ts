/**
 * @module http/api-schemas
 * JSON schemas (TypeBox) of the management API `/api/v1` and telemetry: request bodies, query
 * strings and every response, so OpenAPI at /docs describes exactly what is served.
 */
import { Type } from 'typebox';

export const ErrorBody = Type.Object({ code: Type.String(), message: Type.String(), requestId: Type.String() });
export const errorResponses = { '4xx': ErrorBody, '5xx': ErrorBody };
export const TenantHeader = Type.Object({ 'x-slotwise-tenant': Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })) });

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Profile = Type.Union([Type.Literal('auto'), Type.Literal('zephyr'), Type.Literal('swupdate'), Type.Literal('rauc'), Type.Literal('generic')]);
const Attributes = Type.Record(Type.String(), Type.String());

export const Tenant = Type.Object({
  name: Type.String(),
  gatewayToken: Nullable(Type.String({ minLength: 8, maxLength: 128 })),
  gatewayIdPrefix: Nullable(Type.String({ maxLength: 128 })),
  trustedAuthorities: Type.Array(Type.String({ maxLength: 256 })),
  trustedKeys: Type.Array(Type.String({ maxLength: 8192 })),
  downgradeGuard: Type.Boolean(),
  pollSleepSec: Type.Integer({ minimum: 1, maximum: 86_399 }),
  pollJitterPct: Type.Integer({ minimum: 0, maximum: 50 }),
});
export const TenantPut = Type.Partial(Type.Omit(Tenant, ['name']));

export const Device = Type.Object({
  tenant: Type.String(),
  controllerId: Type.String(),
  attributes: Attributes,
  tags: Type.Array(Type.String()),
  group: Nullable(Type.String()),
  profile: Profile,
  runningVersion: Nullable(Type.String()),
  previousVersion: Nullable(Type.String()),
  lastSeenMs: Nullable(Type.Number()),
  createdMs: Type.Number(),
  configRequested: Type.Boolean(),
  activeActionId: Nullable(Type.Number()),
  installedActionId: Nullable(Type.Number()),
});
export const DeviceWithToken = Type.Object({ device: Device, token: Type.String() });
export const DeviceRegister = Type.Object({
  controllerId: Type.String({ minLength: 1, maxLength: 256 }),
  attributes: Type.Optional(Attributes),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 })),
  group: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
  profile: Type.Optional(Profile),
  runningVersion: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
});
export const DevicePatch = Type.Object({
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 })),
  group: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
  profile: Type.Optional(Profile),
  attributes: Type.Optional(Attributes),
  requestAttributes: Type.Optional(Type.Boolean()),
});
export const DeviceListQuery = Type.Object({
  tag: Type.Optional(Type.String()),
  group: Type.Optional(Type.String()),
  version: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
});
export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });
export const NumericIdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const Artifact = Type.Object({
  sha256: Type.String(),
  sha1: Type.String(),
  md5: Type.String(),
  sizeBytes: Type.Integer(),
  filename: Type.String(),
  kind: Type.Union([Type.Literal('mcuboot'), Type.Literal('opaque')]),
  imageVersion: Nullable(Type.String()),
  imageHash: Nullable(Type.String()),
  signed: Type.Boolean(),
  createdMs: Type.Number(),
});
export const ArtifactUploadQuery = Type.Object({ filename: Type.String({ minLength: 1, maxLength: 255 }) });
export const Sha256Param = Type.Object({ sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }) });

export const Release = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  version: Type.String(),
  part: Type.String(),
  artifacts: Type.Array(Type.Object({ sha256: Type.String(), filename: Type.String() })),
  createdMs: Type.Number(),
});
export const ReleaseCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  version: Type.String({ minLength: 1, maxLength: 128 }),
  part: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  artifacts: Type.Array(Type.Object({ sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }), filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }), { minItems: 1, maxItems: 50 }),
});

const Window = Type.Object({ startMinuteUtc: Type.Integer({ minimum: 0, maximum: 1439 }), durationMinutes: Type.Integer({ minimum: 1, maximum: 1440 }) });
const ActionType = Type.Union([Type.Literal('forced'), Type.Literal('soft'), Type.Literal('download_only')]);
const ActionStatus = Type.Union([
  Type.Literal('running'),
  Type.Literal('canceling'),
  Type.Literal('verifying'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('rolled_back'),
  Type.Literal('timed_out'),
  Type.Literal('canceled'),
]);

export const Action = Type.Object({
  id: Type.Integer(),
  controllerId: Type.String(),
  releaseId: Type.Integer(),
  rolloutId: Nullable(Type.Integer()),
  stage: Nullable(Type.Integer()),
  status: ActionStatus,
  type: ActionType,
  maintenance: Nullable(Window),
  fromVersion: Nullable(Type.String()),
  deadlineMs: Nullable(Type.Number()),
  requireVersionReport: Type.Boolean(),
  createdMs: Type.Number(),
  updatedMs: Type.Number(),
  retrievedMs: Nullable(Type.Number()),
  bytesServed: Type.Number(),
  highestOffset: Type.Number(),
  downloads: Type.Number(),
  lastExecution: Nullable(Type.String()),
  lastFinished: Nullable(Type.String()),
  reason: Nullable(Type.String()),
});
export const ActionStatusEntry = Type.Object({
  atMs: Type.Number(),
  source: Type.String(),
  execution: Type.String(),
  finished: Nullable(Type.String()),
  code: Nullable(Type.Integer()),
  details: Type.Array(Type.String()),
});
export const ActionDetail = Type.Object({ action: Action, history: Type.Array(ActionStatusEntry) });
export const DeploymentCreate = Type.Object({
  controllerId: Type.String({ minLength: 1, maxLength: 256 }),
  releaseId: Type.Integer({ minimum: 1 }),
  type: Type.Optional(ActionType),
  timeoutMs: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  requireVersionReport: Type.Optional(Type.Boolean()),
  maintenance: Type.Optional(Nullable(Window)),
});

const Filter = Type.Object({
  tags: Type.Optional(Type.Array(Type.String())),
  group: Type.Optional(Type.String()),
  runningVersion: Type.Optional(Type.String()),
  attributes: Type.Optional(Attributes),
  controllerIds: Type.Optional(Type.Array(Type.String())),
});
const Stage = Type.Union([Type.Object({ count: Type.Integer({ minimum: 0 }) }), Type.Object({ percent: Type.Number({ minimum: 0, maximum: 100 }) })]);
export const Rollout = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  releaseId: Type.Integer(),
  filter: Filter,
  stages: Type.Array(Stage),
  successThreshold: Type.Number(),
  maxFailureRatio: Type.Number(),
  deviceTimeoutMs: Type.Number(),
  maintenance: Nullable(Window),
  actionType: ActionType,
  requireVersionReport: Type.Boolean(),
  state: Type.Union([Type.Literal('running'), Type.Literal('paused'), Type.Literal('aborted'), Type.Literal('finished')]),
  currentStage: Type.Integer(),
  reason: Nullable(Type.String()),
  createdMs: Type.Number(),
  updatedMs: Type.Number(),
});
export const RolloutCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  releaseId: Type.Integer({ minimum: 1 }),
  filter: Filter,
  stages: Type.Array(Stage, { minItems: 1, maxItems: 500 }),
  successThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  maxFailureRatio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  deviceTimeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
  maintenance: Type.Optional(Nullable(Window)),
  actionType: Type.Optional(ActionType),
  requireVersionReport: Type.Optional(Type.Boolean()),
});
const StageSummary = Type.Object({
  stage: Type.Integer(),
  members: Type.Integer(),
  assigned: Type.Integer(),
  open: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  rolledBack: Type.Integer(),
  timedOut: Type.Integer(),
  canceled: Type.Integer(),
});
export const RolloutSummary = Type.Object({ rollout: Rollout, stages: Type.Array(StageSummary) });

export const AuditEntry = Type.Object({ id: Type.Optional(Type.Integer()), atMs: Type.Number(), actor: Type.String(), event: Type.String(), subject: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) });
export const AuditQuery = Type.Object({ subject: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })) });

export const SampleIn = Type.Object({ temp: Type.Integer({ minimum: -300_000, maximum: 1_000_000 }), timestamp_ms: Type.Integer({ minimum: 0 }), boot_id: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffff_ffff })), device_id: Type.Optional(Type.String({ maxLength: 256 })) }, { additionalProperties: true });
export const SamplesIn = Type.Union([SampleIn, Type.Array(SampleIn, { minItems: 1, maxItems: 1000 })]);
export const SamplesAccepted = Type.Object({ accepted: Type.Integer(), duplicates: Type.Integer() });
export const SampleQuery = Type.Object({ from: Type.Optional(Type.Integer()), to: Type.Optional(Type.Integer()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) });
export const SampleSeries = Type.Object({ device: Type.String(), samples: Type.Array(Type.Object({ temp: Type.Integer(), timestamp_ms: Type.Integer(), boot_id: Type.Integer(), received_ms: Type.Number() })) });

export const ApiKeyCreate = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
export const ApiKeyCreated = Type.Object({ id: Type.String(), name: Type.String(), key: Type.String() });

export const Status = Type.Object({
  tenant: Type.String(),
  devices: Type.Integer(),
  artifacts: Type.Integer(),
  releases: Type.Integer(),
  rollouts: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), state: Type.String(), currentStage: Type.Integer() })),
  storage: Type.String(),
});
