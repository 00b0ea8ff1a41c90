/**
 * @module sim/run-scenario
 * One call from a scenario to a report: the kernel, the in-process server (fleet-server.ts),
 * a fixed Ed25519 signing key (so images, and therefore digests, are the same in every process)
 * and the fleet from `@slotwise/core/fleet`. Used by `slotwise sim run`, the tests and the bench.
 */
import { createScheduler } from '@slotwise/core';
import { createFleet, type FleetResult, type FleetRunOptions, type Scenario, type ServerModel } from '@slotwise/core/fleet/index';
import { loadKey, type ImagePrivateKey } from '@slotwise/core/image/keys';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { createSimServer } from './fleet-server.js';

/** 2026-01-01T00:00:00Z: virtual time 0 of every run (the server stores absolute times). */
export const SIM_EPOCH_MS = Date.UTC(2026, 0, 1);

const SEED = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
let cachedKey: ImagePrivateKey | undefined;

/** The simulation's signing key: an Ed25519 key from a fixed seed (PKCS#8). */
export function simSigningKey(): ImagePrivateKey {
  if (cachedKey === undefined) {
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), SEED]);
    const pem = `-----BEGIN PRIVATE KEY-----\n${der.toString('base64')}\n-----END PRIVATE KEY-----\n`;
    cachedKey = loadKey(pem, nodeCrypto) as ImagePrivateKey;
  }
  return cachedKey;
}

export interface RunScenarioOptions extends FleetRunOptions {
  readonly seed?: number;
  readonly devices?: number;
  readonly traceDevice?: string;
  readonly checkBootable?: boolean;
  readonly serverModel?: ServerModel;
  readonly sqliteFile?: string;
}

export async function runScenario(scenario: Scenario, options: RunScenarioOptions = {}): Promise<FleetResult> {
  const s: Scenario = { ...scenario, ...(options.seed === undefined ? {} : { seed: options.seed }), ...(options.devices === undefined ? {} : { devices: options.devices }) };
  const scheduler = createScheduler(SIM_EPOCH_MS);
  const server = await createSimServer({ clock: scheduler, seed: s.seed, pollSleepSec: s.pollSleepSec, ...(s.pollJitterPct === undefined ? {} : { pollJitterPct: s.pollJitterPct }), ...(options.sqliteFile === undefined ? {} : { sqliteFile: options.sqliteFile }) });
  try {
    const fleet = createFleet({
      scenario: s,
      scheduler,
      crypto: nodeCrypto,
      key: simSigningKey(),
      server,
      tenant: server.tenant,
      gatewayToken: server.gatewayToken,
      ...(options.traceDevice === undefined ? {} : { traceDevice: options.traceDevice }),
      ...(options.checkBootable === undefined ? {} : { checkBootable: options.checkBootable }),
      ...(options.serverModel === undefined ? {} : { serverModel: options.serverModel }),
    });
    return await fleet.run({
      ...(options.pacer === undefined ? {} : { pacer: options.pacer }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      // inject() releases each response on a later event-loop turn (setImmediate): give it turns,
      // or a mass download keeps every served chunk alive until the run ends.
      hostTurn: () => new Promise<void>((resolve) => setImmediate(resolve)),
    });
  } finally {
    await server.close();
  }
}
