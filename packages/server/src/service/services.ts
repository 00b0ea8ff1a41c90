/**
 * @module service/services
 * Wires the services together over one ServiceContext: the graph buildApp and simulations use.
 */
import type { BlobStore } from '../blob/blob-store.js';
import { createActionService, type ActionService } from './actions.js';
import { createApiKeyService, type ApiKeyService } from './api-keys.js';
import { createArtifactService, type ArtifactService, type ImageInspector } from './artifacts.js';
import type { ServiceContext } from './context.js';
import { createDeviceService, type DeviceService } from './devices.js';
import { createLastSeenBatcher, type LastSeenBatcher } from './last-seen.js';
import { createReleaseService, type ReleaseService } from './releases.js';
import { createRolloutService, type RolloutService } from './rollouts.js';
import { createTelemetryService, type TelemetryService } from './telemetry.js';
import { createTenantService, type TenantService } from './tenants.js';

export interface Services {
  ctx: ServiceContext;
  tenants: TenantService;
  devices: DeviceService;
  actions: ActionService;
  releases: ReleaseService;
  rollouts: RolloutService;
  artifacts: ArtifactService;
  telemetry: TelemetryService;
  apiKeys: ApiKeyService;
  lastSeen: LastSeenBatcher;
  blobs: BlobStore;
}

export interface ServicesOptions {
  blobs: BlobStore;
  inspectImage: ImageInspector;
  /** First action id; ids are allocated upwards from here (Part C SHOULD 5: start high). */
  actionIdStart: number;
}

export function createServices(ctx: ServiceContext, options: ServicesOptions): Services {
  const tenants = createTenantService(ctx);
  const releases = createReleaseService(ctx);
  const actions = createActionService(ctx, { actionIdStart: options.actionIdStart, releases: (id) => ctx.store.getRelease(id) });
  const devices = createDeviceService(ctx, actions);
  const rollouts = createRolloutService(ctx, actions, releases);
  const artifacts = createArtifactService(ctx, {
    blobs: options.blobs,
    inspect: options.inspectImage,
    trustedKeys: async (tenant) => {
      const t = await tenants.get(tenant);
      return { keys: t.trustedKeys, downgradeGuard: t.downgradeGuard };
    },
  });
  return {
    ctx,
    tenants,
    devices,
    actions,
    releases,
    rollouts,
    artifacts,
    telemetry: createTelemetryService(ctx),
    apiKeys: createApiKeyService(ctx),
    lastSeen: createLastSeenBatcher(ctx.store),
    blobs: options.blobs,
  };
}
