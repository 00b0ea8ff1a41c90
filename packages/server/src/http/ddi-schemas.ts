/**
 * @module http/ddi-schemas
 * JSON schemas (TypeBox) of the DDI resources (hawkbit-ddi.md A.5–A.12). Request schemas are
 * lenient where real clients are sloppy (unknown fields kept and ignored, legacy `id`/`time`,
 * any integers in `progress`); response schemas are exact, so serialisation never leaks a field.
 * The compile-time checks at the bottom keep them identical to @slotwise/core/protocol/ddi.
 */
import { Type, type Static } from 'typebox';
import type { DdiCancelAction, DdiConfigData, DdiDeploymentBase, DdiFeedback, DdiInstalledBasePut, DdiPollResponse } from '@slotwise/core/protocol/ddi';

const Link = Type.Object({ href: Type.String() });
const Handling = Type.Union([Type.Literal('skip'), Type.Literal('attempt'), Type.Literal('forced')]);

export const DdiParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 64 }), controllerId: Type.String({ minLength: 1, maxLength: 256 }) });
export const DdiActionParams = Type.Object({ tenant: Type.String(), controllerId: Type.String(), actionId: Type.String({ pattern: '^[0-9]{1,15}$' }) });
export const DdiArtifactParams = Type.Object({ tenant: Type.String(), controllerId: Type.String(), smId: Type.String({ pattern: '^[0-9]{1,15}$' }), fileName: Type.String({ minLength: 1, maxLength: 255 }) });
export const DdiModuleParams = Type.Object({ tenant: Type.String(), controllerId: Type.String(), smId: Type.String({ pattern: '^[0-9]{1,15}$' }) });
export const DdiBaseQuery = Type.Object({ c: Type.Optional(Type.String()), actionHistory: Type.Optional(Type.Integer()) });

export const DdiPollSchema = Type.Object({
  config: Type.Object({ polling: Type.Object({ sleep: Type.String({ pattern: '^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]$' }) }) }),
  _links: Type.Optional(
    Type.Object({
      deploymentBase: Type.Optional(Link),
      cancelAction: Type.Optional(Link),
      confirmationBase: Type.Optional(Link),
      installedBase: Type.Optional(Link),
      configData: Type.Optional(Link),
    }),
  ),
});

export const DdiArtifactSchema = Type.Object({
  filename: Type.String(),
  size: Type.Integer(),
  hashes: Type.Object({ sha1: Type.String(), md5: Type.String(), sha256: Type.String() }),
  _links: Type.Object({
    'download-http': Link,
    download: Type.Optional(Link),
    'md5sum-http': Type.Optional(Link),
    md5sum: Type.Optional(Link),
  }),
});

const Deployment = Type.Object({
  download: Handling,
  update: Handling,
  maintenanceWindow: Type.Optional(Type.Union([Type.Literal('available'), Type.Literal('unavailable')])),
  chunks: Type.Array(
    Type.Object({
      part: Type.String(),
      version: Type.String(),
      name: Type.String(),
      artifacts: Type.Array(DdiArtifactSchema),
      metadata: Type.Optional(Type.Array(Type.Object({ key: Type.String(), value: Type.String() }))),
    }),
  ),
});
const ActionHistory = Type.Object({ status: Type.String(), messages: Type.Array(Type.String()) });

export const DdiDeploymentBaseSchema = Type.Object({ id: Type.String(), deployment: Deployment, actionHistory: Type.Optional(ActionHistory) });
export const DdiCancelActionSchema = Type.Object({ id: Type.String(), cancelAction: Type.Object({ stopId: Type.String() }) });
export const DdiConfirmationBaseSchema = Type.Object({
  autoConfirm: Type.Object({ active: Type.Boolean(), initiator: Type.Optional(Type.String()), remark: Type.Optional(Type.String()) }),
  _links: Type.Optional(Type.Object({ activateAutoConfirm: Type.Optional(Link), deactivateAutoConfirm: Type.Optional(Link), confirmationBase: Type.Optional(Link) })),
});

const Execution = Type.Union([
  Type.Literal('closed'),
  Type.Literal('proceeding'),
  Type.Literal('canceled'),
  Type.Literal('scheduled'),
  Type.Literal('rejected'),
  Type.Literal('resumed'),
  Type.Literal('download'),
  Type.Literal('downloaded'),
]);
const Finished = Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('none')]);

export const DdiFeedbackSchema = Type.Object(
  {
    timestamp: Type.Optional(Type.Integer()),
    id: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
    time: Type.Optional(Type.String()),
    status: Type.Object(
      {
        execution: Execution,
        result: Type.Object({ finished: Finished, progress: Type.Optional(Type.Object({ cnt: Type.Integer(), of: Type.Optional(Type.Integer()) }, { additionalProperties: true })) }, { additionalProperties: true }),
        code: Type.Optional(Type.Integer()),
        details: Type.Optional(Type.Array(Type.String({ maxLength: 4096 }))),
      },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: true },
);

export const DdiConfigDataSchema = Type.Object(
  {
    mode: Type.Optional(Type.Union([Type.Literal('merge'), Type.Literal('replace'), Type.Literal('remove')])),
    data: Type.Record(Type.String(), Type.String()),
  },
  { additionalProperties: true },
);

export const DdiInstalledBasePutSchema = Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }), version: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: true });
export const DdiConfirmationFeedbackSchema = Type.Object(
  { confirmation: Type.Union([Type.Literal('confirmed'), Type.Literal('denied')]), code: Type.Optional(Type.Integer()), details: Type.Optional(Type.Array(Type.String())) },
  { additionalProperties: true },
);

export const ErrorBodySchema = Type.Object({ code: Type.String(), message: Type.String(), requestId: Type.String() });

// Compile-time agreement with the shared wire types (assignable both ways): a mismatch fails `tsc -b`.
const agree = <A, B>(_toShared: (x: A) => B, _fromShared: (x: B) => A): void => undefined;
agree<Static<typeof DdiPollSchema>, DdiPollResponse>((x) => x, (x) => x);
agree<Static<typeof DdiCancelActionSchema>, DdiCancelAction>((x) => x, (x) => x);
agree<Static<typeof DdiDeploymentBaseSchema>, DdiDeploymentBase>((x) => x, (x) => x);
agree<Static<typeof DdiInstalledBasePutSchema>, DdiInstalledBasePut>((x) => x, (x) => x);
agree<Static<typeof DdiConfigDataSchema>['data'], DdiConfigData['data']>((x) => x, (x) => x);
agree<Static<typeof DdiFeedbackSchema>['status'], DdiFeedback['status']>((x) => x, (x) => x);
