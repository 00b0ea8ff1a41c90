/**
 * @module device
 * Public face of the device firmware twin (`@slotwise/core/device`): the series' state machine
 * as a pure reducer with its OTA task, the driver that runs it on the discrete-event kernel,
 * the sensor/network models with faults, the DDI client, and firmware-as-image descriptors.
 */
export { APP_STATES, TRANSITIONS, appStateName, backoffDelayMs, findTransition, type AppStateName, type TransitionCondition, type TransitionRow } from './app-state.js';
export { createDeviceState, step, type AppCtx, type CreateDeviceStateInput, type DeviceEffect, type DeviceEvent, type DeviceState, type Pending, type Step } from './step.js';
export { DEFAULT_DEVICE_OPTIONS, LITERAL_GAPS, resolveDeviceOptions, type ConfirmPolicy, type DeviceOptions, type LiteralGap } from './options.js';
export { SAMPLE_BUFFER_SIZE, createSampleBuffer, peekOldest, popOldest, pushSample, toArray, type SampleBuffer, type SampleRecord } from './sample-buffer.js';
export { formatLogLine, formatUptime, type LogEntry, type LogLevel, type LogRecord } from './log.js';
export { Errno, type ErrnoName } from './errno.js';
export { activeFaults, hasFault, type DeviceFault, type FaultWindow, type TrafficClass } from './faults.js';
export { MCP9808_ADDR, Mcp9808Reg, convertAmbient, createMcp9808Chip, encodeAmbient, mcp9808Init, mcp9808Sample, type Mcp9808Chip } from './mcp9808.js';
export { DEFAULT_NETWORK_TIMINGS, createNetworkModel, type NetCall, type NetworkModel, type NetworkTimings } from './network-model.js';
export {
  createDeviceDriver,
  renderLog,
  type BootControlPort,
  type DeviceDriver,
  type DeviceDriverInput,
  type DeviceLogRecord,
  type OtaPorts,
  type ResetReason,
  type SecondarySlotPort,
  type StepObserver,
} from './driver.js';
export { DEFAULT_OTA_OPTIONS, createOtaState, otaStep, otaWantsSlot, type BootInfo, type OtaCtx, type OtaEffect, type OtaEvent, type OtaOptions, type OtaState, type SavedAction } from './ota/ota-step.js';
export type { DdiAnswer, DdiRequest, DdiResult, DdiTransport, DeploymentInfo } from './ota/ddi.js';
export { createDdiHttpTransport, type DdiHttpConfig } from './ota/ddi-http.js';
export { buildFirmwareImage, decodeFirmwarePayload, encodeFirmwarePayload, readFirmware, type BuildFirmwareOptions, type FirmwareDescriptor, type FirmwareFaults, type FirmwareReadResult } from './firmware.js';
export { createHttpSampleSink, type HttpSampleSinkConfig, type SampleSink } from './telemetry.js';
export { createDeviceRuntime, createMemorySettings, type BootloaderRun, type DeviceRuntime, type DeviceRuntimeInput, type SettingsStore } from './runtime.js';
