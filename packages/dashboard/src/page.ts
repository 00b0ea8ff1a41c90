/**
 * @module page
 * What a page is (mount into an element, return an unmount) and the refresh helper pages use:
 * load now and every `everyMs`, show "Loading…" only before the first answer, keep the last
 * good view when a refresh fails and say so above it.
 */
import { ApiFailure } from './api.js';
import { h } from './dom.js';

export type Unmount = () => void;
export type Page = (el: HTMLElement, arg: string | undefined) => Unmount;

export function errorBox(error: unknown): HTMLElement {
  const f = error instanceof ApiFailure ? error : null;
  const msg = error instanceof Error ? error.message : String(error);
  return h('div', { class: 'error', role: 'alert' }, h('strong', {}, f?.code ?? 'Error'), ' ', msg, f?.status === 401 ? h('div', {}, h('a', { href: '#/signin' }, 'Sign in with another admin key')) : null);
}

export interface Live {
  stop: Unmount;
  /** Reloads now (after an operator action) instead of at the next interval. */
  refresh(): void;
}

/** Renders `view(data)` into `el` after each successful `load()`, every `everyMs` (0: once). */
export function live<T>(el: HTMLElement, load: () => Promise<T>, view: (data: T) => Node, everyMs: number): Live {
  let alive = true;
  let had = false;
  const status = h('div', { class: 'status-line' });
  const body = h('div', { class: 'page-body' }, h('div', { class: 'loading', 'aria-busy': 'true' }, 'Loading…'));
  el.replaceChildren(status, body);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async (): Promise<void> => {
    try {
      const data = await load();
      if (!alive) return;
      // Keep the user's scroll and focus: replace only the page body.
      const active = document.activeElement;
      const keepFocus = active instanceof HTMLElement && body.contains(active) ? active.id : '';
      body.replaceChildren(view(data));
      if (keepFocus !== '') document.getElementById(keepFocus)?.focus();
      status.replaceChildren();
      had = true;
    } catch (error) {
      if (!alive) return;
      if (had) status.replaceChildren(h('div', { class: 'stale' }, 'Showing the last good data — refresh failed: ', errorBox(error)));
      else body.replaceChildren(errorBox(error));
    }
    if (alive && everyMs > 0) timer = setTimeout(() => void tick(), everyMs);
  };
  void tick();
  return {
    stop() {
      alive = false;
      if (timer !== undefined) clearTimeout(timer);
    },
    refresh() {
      if (timer !== undefined) clearTimeout(timer);
      void tick();
    },
  };
}
