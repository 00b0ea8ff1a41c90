/**
 * @module demo/real-time-fleet
 * Runs simulated devices in real time at an accelerated clock: every tick the target virtual
 * time is `virtualStart + (wall − wallStart) × speed`, and each device's own discrete-event
 * scheduler is advanced to it (awaiting its real HTTP exchanges). Every report interval the
 * devices' timeline events, slot pictures and delivered samples are posted to the server with
 * each device's own token. The wall clock lives here, at the edge — never inside core.
 */
import type { SimDevice } from './sim-device.js';

export interface RealTimeFleetInput {
  devices: readonly SimDevice[];
  speed: number;
  /** Virtual time at wall time `wallStartMs`. */
  virtualStartMs: number;
  wallStartMs: number;
  /** Posts a device's reports (twin + samples); failures are counted, never fatal. */
  post: (device: SimDevice, report: ReturnType<SimDevice['takeReports']>) => Promise<void>;
  now: () => number;
  tickMs?: number;
  reportEveryMs?: number;
  onDeviceError?: (device: SimDevice, error: unknown) => void;
}

export interface RealTimeFleet {
  start(): void;
  /** Stops after the tick in progress and the last reports are posted. */
  stop(): Promise<void>;
  /** Virtual time the devices have reached. */
  virtualNowMs(): number;
  readonly ticks: number;
  /** Ticks that ran late (the devices could not keep up with the requested speed). */
  readonly lateTicks: number;
}

export function createRealTimeFleet(input: RealTimeFleetInput): RealTimeFleet {
  const tickMs = input.tickMs ?? 100;
  const reportEveryMs = input.reportEveryMs ?? 500;
  const failed = new Set<SimDevice>();
  let running = false;
  let loop: Promise<void> | null = null;
  let reached = input.virtualStartMs;
  let lastReport = 0;
  let ticks = 0;
  let lateTicks = 0;
  let wake: (() => void) | null = null;

  const report = async (): Promise<void> => {
    const wall = input.now();
    await Promise.all(
      input.devices.map(async (d) => {
        if (failed.has(d)) return;
        try {
          const r = d.takeReports(wall);
          if (r.events.length === 0 && r.slots === null && r.samples.length === 0) return;
          await input.post(d, r);
        } catch (error) {
          failed.add(d);
          input.onDeviceError?.(d, error);
        }
      }),
    );
  };

  const run = async (): Promise<void> => {
    while (running) {
      const began = input.now();
      const target = input.virtualStartMs + (began - input.wallStartMs) * input.speed;
      await Promise.all(
        input.devices.map(async (d) => {
          if (failed.has(d)) return;
          try {
            await d.advanceTo(target);
          } catch (error) {
            failed.add(d);
            input.onDeviceError?.(d, error);
          }
        }),
      );
      reached = target;
      ticks++;
      if (began - lastReport >= reportEveryMs) {
        lastReport = began;
        await report();
      }
      const spent = input.now() - began;
      if (spent > tickMs) lateTicks++;
      if (!running) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.max(0, tickMs - spent));
      });
      wake = null;
    }
    await report();
  };

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
    virtualNowMs: () => reached,
    get ticks() {
      return ticks;
    },
    get lateTicks() {
      return lateTicks;
    },
  };
}
