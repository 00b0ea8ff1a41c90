/**
 * @module http/twin-schemas
 * JSON schemas (TypeBox) of the device twin API: what a simulated device posts about its insides
 * (timeline events, flash slot picture) and what the management API serves back. The dashboard's
 * Device page draws exactly these shapes.
 */
import { Type, type Static } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** app: application state transitions; ota: OTA milestones; boot: a bootloader run and its decision path; reset/power: why the device restarted. */
export const TimelineKind = Type.Union([Type.Literal('app'), Type.Literal('ota'), Type.Literal('boot'), Type.Literal('reset'), Type.Literal('power'), Type.Literal('fault')]);

export const TimelineEventIn = Type.Object({
  seq: Type.Integer({ minimum: 0 }),
  atMs: Type.Integer({ minimum: 0 }),
  kind: TimelineKind,
  title: Type.String({ minLength: 1, maxLength: 200 }),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

const Magic = Type.Union([Type.Literal('good'), Type.Literal('bad'), Type.Literal('unset')]);
const Flag = Type.Union([Type.Literal('set'), Type.Literal('bad'), Type.Literal('unset')]);

export const SlotPicture = Type.Object({
  role: Type.Union([Type.Literal('primary'), Type.Literal('secondary'), Type.Literal('scratch')]),
  sizeBytes: Type.Integer({ minimum: 0 }),
  /** The image whose header is at the start of the slot, if any. */
  image: Nullable(Type.Object({ version: Type.String({ maxLength: 64 }), sizeBytes: Type.Integer({ minimum: 0 }), hash: Type.Optional(Type.String({ maxLength: 128 })) })),
  trailer: Nullable(Type.Object({ magic: Magic, swapType: Type.String({ maxLength: 16 }), copyDone: Flag, imageOk: Flag })),
  /** Sectors holding data (not erased), out of `sectorCount`. */
  usedSectors: Type.Integer({ minimum: 0 }),
  sectorCount: Type.Integer({ minimum: 0 }),
});

export const SlotsIn = Type.Object({
  atMs: Type.Integer({ minimum: 0 }),
  mode: Type.String({ maxLength: 32 }),
  sectorSizeBytes: Type.Integer({ minimum: 1 }),
  slots: Type.Array(SlotPicture, { maxItems: 3 }),
  /** A swap the bootloader is performing right now (sectors done of total), else null. */
  swap: Nullable(Type.Object({ swapType: Type.String({ maxLength: 16 }), sectorsDone: Type.Integer({ minimum: 0 }), sectorsTotal: Type.Integer({ minimum: 0 }) })),
  runningVersion: Nullable(Type.String({ maxLength: 64 })),
});

export const TwinPost = Type.Object({
  events: Type.Optional(Type.Array(TimelineEventIn, { maxItems: 1000 })),
  slots: Type.Optional(SlotsIn),
});
export const TwinAccepted = Type.Object({ accepted: Type.Integer(), duplicates: Type.Integer() });

export const TimelineEvent = Type.Object({
  seq: Type.Integer(),
  atMs: Type.Number(),
  kind: Type.String(),
  title: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  receivedMs: Type.Number(),
});
export const TimelineQuery = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: -1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
});
export const Timeline = Type.Object({ device: Type.String(), events: Type.Array(TimelineEvent) });
export const DeviceSlots = Type.Object({
  device: Type.String(),
  /** Null for a device that never reported its slots (real devices do not). */
  slots: Nullable(Type.Intersect([SlotsIn, Type.Object({ receivedMs: Type.Number() })])),
});

export type TimelineEventIn = Static<typeof TimelineEventIn>;
export type SlotsIn = Static<typeof SlotsIn>;
export type TwinPost = Static<typeof TwinPost>;
