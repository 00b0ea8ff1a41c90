/**
 * @module fleet
 * Public face of the deterministic fleet simulation (`@slotwise/core/fleet/index`): scenarios,
 * client profiles, link models, the fleet devices (ours runs the issue 5 reducer) and the fleet
 * run with its server port.
 */
export { parseScenario, targetRelease, type DeviceGroup, type FaultSpec, type OperatorStep, type PowerCutPhase, type ReleaseSpec, type Scenario } from './scenario.js';
export { CLIENT_PROFILES, backoffMs, resolveProfile, type ClientProfile, type ProfileName, type ProfileOverrides } from './profiles.js';
export { HEADER_BYTES, inOutage, planRequest, planResponse, type LinkSpec, type RequestPlan, type ResponsePlan } from './network.js';
export { FleetDevice, type DeviceOutcomeTag, type ExchangeResult, type FleetDeviceHost, type FleetDeviceInput, type FleetMember } from './device.js';
export { SlotwiseFleetDevice } from './slotwise-device.js';
export {
  DEFAULT_SERVER_MODEL,
  createFleet,
  type Fleet,
  type FleetImage,
  type FleetInput,
  type FleetProgress,
  type FleetResult,
  type FleetRunOptions,
  type FleetServerPort,
  type OutcomeCounts,
  type Pacer,
  type RolloutStatus,
  type ServerModel,
} from './fleet.js';
export { createTraceDigest, type TraceDigest } from './trace.js';
export { formatReport, reportJson } from './report.js';
