/**
 * @module @slotwise/server
 * The update server: hawkBit DDI device API, management API, telemetry, storage.
 * Public surface for other packages (CLI, device simulator, fleet runs); deeper modules are
 * reachable by sub-path (`@slotwise/server/store/store`) for tests and tools.
 */
export { buildApp, type AppConfig, type AppDeps, type SlotwiseHandle } from './app.js';
export { createSimulationServer, type SimulationServer } from './sim-server.js';
export { createInjectTransport } from './transport/inject-transport.js';
export { createFetchTransport } from './transport/fetch-transport.js';
export { createFsBlobStore, createMemoryBlobStore, type BlobStore } from './blob/blob-store.js';
export { openSqliteStore } from './store/sqlite/sqlite-store.js';
export { openPostgresStore } from './store/postgres/postgres-store.js';
export { openPostgresBlobStore } from './store/postgres/postgres-blob-store.js';
export type { Store } from './store/store.js';
export { createIdGenerator, type IdGenerator } from './service/context.js';
export { createImageInspector } from './service/image-inspector.js';
export type { ImageInspector, ImageInspection } from './service/artifacts.js';
export { ServerErrorCode, ApiError } from './http/errors.js';

export const SERVER_PACKAGE = '@slotwise/server';
