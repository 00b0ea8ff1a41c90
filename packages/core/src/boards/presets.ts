/**
 * @module boards/presets
 * Named flash layouts + MCUboot build constants: the three geometries of the boot vectors
 * (nrf52840, stm32u5, stm32f4, from their scenario.json) and the other devices of MCUboot's
 * simulator (mcuboot.md §7.4, sim/src/image.rs make_device). Two-device parts (SPI flash) are
 * mapped into one address space: the external device follows the internal one.
 */
import { SlotwiseError } from '../errors.js';
import { createFlashGeometry, type FlashGeometry, type FlashGeometryInput } from '../flash/geometry.js';
import type { UpgradeMode } from '../boot/config.js';

export interface BoardPreset {
  readonly name: string;
  readonly description: string;
  readonly geometry: FlashGeometryInput;
  /** MCUBOOT_BOOT_MAX_ALIGN and MCUBOOT_MAX_IMG_SECTORS of the build. */
  readonly bootMaxAlign: number;
  readonly maxImgSectors: number;
  /** Modes MCUboot's simulator runs on this device. */
  readonly modes: readonly UpgradeMode[];
}

const rep = (size: number, n: number): number[] => new Array<number>(n).fill(size);
const K = 1024;
const ALL: readonly UpgradeMode[] = ['swap-scratch', 'swap-move', 'swap-offset', 'overwrite-only'];
const STM32F4_SECTORS = [...rep(16 * K, 4), 64 * K, 32 * K, 32 * K, 64 * K, 32 * K, 32 * K, 64 * K, 128 * K];

const area = (id: number, off: number, size: number, sectors?: number[]) => (sectors === undefined ? { id, off, size } : { id, off, size, sectors });

export const BOARD_PRESETS: readonly BoardPreset[] = [
  { name: 'nrf52840', description: 'nRF52840: 128 x 4 KiB, w = 4; scratch of 13 sectors does not divide the slot (vectors, sim Nrf52840)',
    geometry: { name: 'nrf52840', sectors: rep(4 * K, 128), writeAlign: 4, erasedValue: 0xff,
      areas: { primary: area(1, 0x8000, 0x34000), secondary: area(2, 0x3c000, 0x34000), scratch: area(3, 0x70000, 0xd000) } },
    bootMaxAlign: 8, maxImgSectors: 128, modes: ALL },
  { name: 'stm32u5', description: 'STM32U5: 8 KiB pages, w = 16, BOOT_MAX_ALIGN 16 (vectors)',
    geometry: { name: 'stm32u5', sectors: rep(8 * K, 80), writeAlign: 16, erasedValue: 0xff,
      areas: { primary: area(1, 0x10000, 0x40000), secondary: area(2, 0x50000, 0x40000), scratch: area(3, 0x90000, 0x4000) } },
    bootMaxAlign: 16, maxImgSectors: 128, modes: ALL },
  { name: 'stm32f4', description: 'STM32F4: unequal 16/32/64/128 KiB sectors, w = 1, 128 KiB scratch (vectors, sim Stm32f4)',
    geometry: { name: 'stm32f4', sectors: STM32F4_SECTORS, writeAlign: 1, erasedValue: 0xff,
      areas: { primary: area(1, 0x20000, 0x20000), secondary: area(2, 0x40000, 0x20000), scratch: area(3, 0x60000, 0x20000) } },
    bootMaxAlign: 8, maxImgSectors: 128, modes: ['swap-scratch', 'overwrite-only'] },
  { name: 'stm32f4-spi', description: 'STM32F4 + SPI flash (8 KiB x 64) holding secondary and scratch (sim stm32f4SpiFlash)',
    geometry: { name: 'stm32f4-spi', sectors: [...STM32F4_SECTORS, ...rep(8 * K, 64)], writeAlign: 1, erasedValue: 0xff,
      areas: { primary: area(1, 0x20000, 0x20000), secondary: area(2, 0x80000, 0x20000), scratch: area(3, 0xa0000, 0x20000) } },
    bootMaxAlign: 8, maxImgSectors: 128, modes: ['swap-scratch', 'overwrite-only'] },
  { name: 'stm32f769', description: 'STM32F769: two banks of 16 KiB x 4, 64 KiB, 128 KiB x 7 (sim stm32f769)',
    geometry: { name: 'stm32f769', sectors: [...rep(16 * K, 4), 64 * K, ...rep(128 * K, 7), ...rep(16 * K, 4), 64 * K, ...rep(128 * K, 7)], writeAlign: 1, erasedValue: 0xff,
      areas: { primary: area(1, 0x0, 0x80000), secondary: area(2, 0x100000, 0x80000), scratch: area(3, 0x80000, 0x20000) } },
    bootMaxAlign: 8, maxImgSectors: 128, modes: ['swap-scratch', 'overwrite-only'] },
  { name: 'k64f', description: 'K64F: 128 x 4 KiB, one-sector scratch (sim k64f)',
    geometry: { name: 'k64f', sectors: rep(4 * K, 128), writeAlign: 1, erasedValue: 0xff,
      areas: { primary: area(1, 0x20000, 0x20000), secondary: area(2, 0x40000, 0x20000), scratch: area(3, 0x60000, 0x1000) } },
    bootMaxAlign: 8, maxImgSectors: 128, modes: ALL },
  { name: 'k64fbig', description: 'K64F with each area described to the bootloader as one 128 KiB sector (sim k64fbig)',
    geometry: { name: 'k64fbig', sectors: rep(4 * K, 128), writeAlign: 1, erasedValue: 0xff,
      areas: { primary: area(1, 0x20000, 0x20000, [0x20000]), secondary: area(2, 0x40000, 0x20000, [0x20000]), scratch: area(3, 0x60000, 0x20000, [0x20000]) } },
    bootMaxAlign: 8, maxImgSectors: 128, modes: ['swap-scratch', 'overwrite-only'] },
  { name: 'nrf52840-spi', description: 'nRF52840 + SPI flash (8 KiB x 64) holding secondary and scratch (sim Nrf52840SpiFlash)',
    geometry: { name: 'nrf52840-spi', sectors: [...rep(4 * K, 128), ...rep(8 * K, 64)], writeAlign: 4, erasedValue: 0xff,
      areas: { primary: area(1, 0x8000, 0x68000), secondary: area(2, 0x80000, 0x68000), scratch: area(3, 0xe8000, 0x18000) } },
    bootMaxAlign: 8, maxImgSectors: 128, modes: ['swap-scratch', 'overwrite-only'] },
  { name: 'nrf52840-unequal', description: 'nRF52840, primary one sector larger than the secondary (60/59): optimal for swap-move (sim Nrf52840UnequalSlots)',
    geometry: { name: 'nrf52840-unequal', sectors: rep(4 * K, 128), writeAlign: 4, erasedValue: 0xff,
      areas: { primary: area(1, 0x8000, 0x3c000), secondary: area(2, 0x44000, 0x3b000) } },
    bootMaxAlign: 8, maxImgSectors: 128, modes: ['swap-move'] },
  { name: 'nrf52840-unequal-larger-slot1', description: 'nRF52840, secondary one sector larger (59/60): optimal for swap-offset (sim Nrf52840UnequalSlotsLargerSlot1)',
    geometry: { name: 'nrf52840-unequal-larger-slot1', sectors: rep(4 * K, 128), writeAlign: 4, erasedValue: 0xff,
      areas: { primary: area(1, 0x8000, 0x3b000), secondary: area(2, 0x43000, 0x3c000) } },
    bootMaxAlign: 8, maxImgSectors: 128, modes: ['swap-offset'] },
  { name: 'psoc-edge-e8x', description: 'PSOC Edge E8x: 96 x 4 KiB, equal 64 KiB slots (sim PSOCEdgeE8x)',
    geometry: { name: 'psoc-edge-e8x', sectors: rep(4 * K, 96), writeAlign: 4, erasedValue: 0xff,
      areas: { primary: area(1, 0x20000, 0x10000), secondary: area(2, 0x30000, 0x10000), scratch: area(3, 0x40000, 0x2000) } },
    bootMaxAlign: 8, maxImgSectors: 128, modes: ['swap-offset'] },
  { name: 'smallpages', description: '512-byte pages: 256 per slot, more than MCUBOOT_MAX_IMG_SECTORS, so MCUboot refuses to upgrade (sim smallpages)',
    geometry: { name: 'smallpages', sectors: rep(512, 1024), writeAlign: 4, erasedValue: 0xff,
      areas: { primary: area(1, 0x20000, 0x20000), secondary: area(2, 0x40000, 0x20000), scratch: area(3, 0x60000, 0x4000) } },
    bootMaxAlign: 8, maxImgSectors: 128, modes: [] },
];

/** Looks up a preset by name (case-insensitive). */
export function findBoardPreset(name: string): BoardPreset | undefined {
  const n = name.toLowerCase();
  return BOARD_PRESETS.find((p) => p.name === n);
}

/** The geometry of a named preset, or a SW_ERR_BOOT_CONFIG_INVALID error listing the names. */
export function boardGeometry(name: string): FlashGeometry {
  const p = findBoardPreset(name);
  if (p === undefined) throw new SlotwiseError('SW_ERR_BOOT_CONFIG_INVALID', `unknown board preset "${name}"; known: ${BOARD_PRESETS.map((b) => b.name).join(', ')}`);
  return createFlashGeometry(p.geometry);
}
