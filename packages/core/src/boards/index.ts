/**
 * @module boards
 * Named layouts (presets) and layout JSON parsing.
 */
export { BOARD_PRESETS, findBoardPreset, boardGeometry, type BoardPreset } from './presets.js';
export { layoutFromJson, layoutFromPreset, createFlashWithImages, secondaryImageOffset, presetNames, layoutModes, type Layout } from './layout.js';
