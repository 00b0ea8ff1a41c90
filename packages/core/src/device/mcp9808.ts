/**
 * @module device/mcp9808
 * The MCP9808 temperature sensor (device.md §8): a register-level chip model (datasheet facts:
 * address 0x18, manufacturer ID 0x0054 in register 0x06, device ID 0x04 in the upper byte of
 * 0x07, ambient temperature in 0x05 as 13-bit two's complement in 1/16 °C with alert flags in
 * bits 13–15) and the Step 3 firmware driver on top of it (init/sample returning 0 or a negative
 * errno, never retrying). The conversion is the proposal of G21 by default; `literal` reproduces
 * the series' `(raw & 0x0FFF) * 625 / 10`, which is wrong below 0 °C.
 */
import { Errno } from './errno.js';
import { hasFault, type FaultWindow } from './faults.js';

export const MCP9808_ADDR = 0x18;
export const Mcp9808Reg = {
  T_A: 0x05, // ambient temperature
  MANUF_ID: 0x06, // reads 0x0054
  DEVICE_ID: 0x07, // upper byte 0x04
} as const;

/** Register reads as the bus reports them: a 16-bit value or a negative errno. */
export type I2cRead = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly err: number };

/** A simulated MCP9808 on an I2C bus: `readRegister` is one combined write-pointer/read-2-bytes transaction. */
export interface Mcp9808Chip {
  readRegister(reg: number, atMs: number): I2cRead;
}

/** Encodes a temperature as the T_A register holds it (13-bit two's complement, 1/16 °C, flags clear). */
export function encodeAmbient(celsius: number): number {
  const sixteenths = Math.max(-40 * 16, Math.min(125 * 16, Math.round(celsius * 16)));
  return sixteenths & 0x1fff;
}

/** The firmware's conversion of a T_A value to milli-degrees Celsius (result truncated toward 0). */
export function convertAmbient(raw: number, literal: boolean): number {
  if (literal) return Math.trunc(((raw & 0x0fff) * 625) / 10); // series as written (G21)
  const v = raw & 0x1fff;
  const signed = v & 0x1000 ? v - 0x2000 : v;
  return Math.trunc((signed * 625) / 10);
}

/** Creates the chip model; `temperatureC(atMs)` is the ambient temperature at simulation time. */
export function createMcp9808Chip(temperatureC: (atMs: number) => number, faults: readonly FaultWindow[] = []): Mcp9808Chip {
  return {
    readRegister(reg, atMs) {
      if (hasFault(faults, atMs, 'sensor.bus_error')) return { ok: false, err: -Errno.EIO };
      switch (reg) {
        case Mcp9808Reg.MANUF_ID:
          return { ok: true, value: hasFault(faults, atMs, 'sensor.absent') ? 0xffff : 0x0054 };
        case Mcp9808Reg.DEVICE_ID:
          return { ok: true, value: hasFault(faults, atMs, 'sensor.absent') ? 0xffff : 0x0400 };
        case Mcp9808Reg.T_A:
          if (hasFault(faults, atMs, 'sensor.read_error')) return { ok: false, err: -Errno.EIO };
          return { ok: true, value: encodeAmbient(temperatureC(atMs)) };
        default:
          return { ok: true, value: 0 };
      }
    },
  };
}

/** Step 3 `mcp9808_init` (G20): checks the ID registers; 0, -EIO or -ENODEV. */
export function mcp9808Init(chip: Mcp9808Chip, atMs: number): number {
  const manuf = chip.readRegister(Mcp9808Reg.MANUF_ID, atMs);
  if (!manuf.ok) return manuf.err;
  const dev = chip.readRegister(Mcp9808Reg.DEVICE_ID, atMs);
  if (!dev.ok) return dev.err;
  return manuf.value === 0x0054 && dev.value >> 8 === 0x04 ? 0 : -Errno.ENODEV;
}

/** Step 3 `mcp9808_sample`: one T_A read converted to m°C. */
export function mcp9808Sample(chip: Mcp9808Chip, atMs: number, literal: boolean): { err: number; mdeg: number } {
  const r = chip.readRegister(Mcp9808Reg.T_A, atMs);
  return r.ok ? { err: 0, mdeg: convertAmbient(r.value, literal) } : { err: r.err, mdeg: 0 };
}
