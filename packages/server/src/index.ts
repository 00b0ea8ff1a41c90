/**
 * @module @slotwise/server
 * The update server: hawkBit DDI device API, management API, telemetry, storage.
 */
export const SERVER_PACKAGE = '@slotwise/server';
