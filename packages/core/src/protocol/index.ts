/**
 * @module protocol
 * Wire types shared by the update server, the device's OTA client and tools: hawkBit DDI,
 * telemetry samples and the Transport port.
 */
export * from './ddi.js';
export * from './telemetry.js';
export type { HttpMethod, HttpRequest, HttpResponse, Transport } from './transport.js';
