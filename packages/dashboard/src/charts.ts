/**
 * @module charts
 * The SVG pictures: a stacked bar (rollout stage outcomes, fleet by version), a line chart
 * (temperature), a donut (online / offline). Sized by viewBox so they scale from a phone to
 * a desktop.
 */
import { svg } from './dom.js';

export interface Segment {
  value: number;
  label: string;
  cls: string;
}

/** One horizontal bar split into segments (proportional to `total`, or to their sum). */
export function stackedBar(segments: readonly Segment[], total?: number, height = 14): SVGSVGElement {
  const sum = total ?? segments.reduce((n, s) => n + s.value, 0);
  const root = svg('svg', { viewBox: `0 0 100 ${height}`, preserveAspectRatio: 'none', class: 'bar', role: 'img', 'aria-label': segments.map((s) => `${s.label} ${s.value}`).join(', ') });
  root.append(svg('rect', { x: 0, y: 0, width: 100, height, class: 'bar-bg', rx: 2 }));
  let x = 0;
  for (const s of segments) {
    if (s.value <= 0 || sum <= 0) continue;
    const w = (100 * s.value) / sum;
    root.append(svg('rect', { x, y: 0, width: w, height, class: s.cls }, svg('title', {}, `${s.label}: ${s.value}`)));
    x += w;
  }
  return root;
}

export function donut(parts: readonly Segment[], centre: string): SVGSVGElement {
  const total = parts.reduce((n, p) => n + p.value, 0);
  const root = svg('svg', { viewBox: '0 0 42 42', class: 'donut', role: 'img', 'aria-label': parts.map((p) => `${p.label} ${p.value}`).join(', ') });
  const r = 15.915; // circumference 100
  root.append(svg('circle', { cx: 21, cy: 21, r, class: 'donut-bg', fill: 'none', 'stroke-width': 6 }));
  let offset = 25;
  for (const p of parts) {
    if (p.value <= 0 || total === 0) continue;
    const len = (100 * p.value) / total;
    root.append(svg('circle', { cx: 21, cy: 21, r, fill: 'none', 'stroke-width': 6, class: p.cls, 'stroke-dasharray': `${len} ${100 - len}`, 'stroke-dashoffset': offset }, svg('title', {}, `${p.label}: ${p.value}`)));
    offset -= len;
  }
  root.append(svg('text', { x: 21, y: 23.5, 'text-anchor': 'middle', class: 'donut-text' }, centre));
  return root;
}

/** A line chart of (x = time ms, y = value) with min/max labels and a time axis. */
export function lineChart(points: readonly { x: number; y: number }[], opts: { unit: string; width?: number; height?: number }): SVGSVGElement {
  const W = opts.width ?? 600;
  const H = opts.height ?? 160;
  const padL = 52;
  const padB = 20;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'line-chart', role: 'img', 'aria-label': `chart of ${points.length} points` });
  if (points.length === 0) {
    root.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'axis' }, 'no samples yet'));
    return root;
  }
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  if (y1 - y0 < 1) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const px = (x: number): number => padL + ((x - x0) / (x1 - x0)) * (W - padL - 8);
  const py = (y: number): number => 8 + (1 - (y - y0) / (y1 - y0)) * (H - padB - 16);
  for (const v of [y0, (y0 + y1) / 2, y1]) {
    root.append(svg('line', { x1: padL, x2: W - 8, y1: py(v), y2: py(v), class: 'grid' }));
    root.append(svg('text', { x: padL - 4, y: py(v) + 4, 'text-anchor': 'end', class: 'axis' }, `${v.toFixed(1)}${opts.unit}`));
  }
  const fmt = (ms: number): string => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  root.append(svg('text', { x: padL, y: H - 4, class: 'axis' }, fmt(x0)));
  root.append(svg('text', { x: W - 8, y: H - 4, 'text-anchor': 'end', class: 'axis' }, fmt(x1)));
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
  root.append(svg('path', { d, class: 'line' }));
  const last = points[points.length - 1]!;
  root.append(svg('circle', { cx: px(last.x), cy: py(last.y), r: 3, class: 'line-dot' }));
  return root;
}
