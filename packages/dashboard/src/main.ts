/**
 * @module main
 * The dashboard shell: sign-in (admin key), navigation, and a hash router
 * (`#/fleet`, `#/rollouts`, `#/device/<id>`, `#/releases`, `#/audit`). Plain TypeScript and
 * DOM; every page reads the management API only.
 */
import './style.css';
import { adminKey, adoptKeyFromUrl, api, setAdminKey } from './api.js';
import { h } from './dom.js';
import type { Page, Unmount } from './page.js';
import { fleetPage } from './pages/fleet.js';
import { rolloutsPage } from './pages/rollouts.js';
import { devicePage } from './pages/device.js';
import { releasesPage } from './pages/releases.js';
import { auditPage } from './pages/audit.js';

const routes: Record<string, { title: string; page: Page; nav: boolean }> = {
  fleet: { title: 'Fleet', page: fleetPage, nav: true },
  rollouts: { title: 'Rollouts', page: rolloutsPage, nav: true },
  releases: { title: 'Releases', page: releasesPage, nav: true },
  audit: { title: 'Audit log', page: auditPage, nav: true },
  device: { title: 'Device', page: devicePage, nav: false },
};

const app = document.getElementById('app') as HTMLElement;
let unmount: Unmount | null = null;

function signIn(main: HTMLElement, message?: string): void {
  const input = h('input', { id: 'admin-key', type: 'password', placeholder: 'sw_…', autocomplete: 'off', required: true });
  const note = h('p', { class: 'muted' }, message ?? 'Paste the admin key that `npm start` printed (or open the dashboard link it printed).');
  main.replaceChildren(
    h(
      'form',
      {
        class: 'card signin',
        onsubmit: (e: Event) => {
          e.preventDefault();
          setAdminKey(input.value);
          api('GET', '/api/v1/status').then(
            () => (location.hash = '#/fleet'),
            (error: unknown) => {
              setAdminKey(null);
              note.textContent = `That key was refused: ${error instanceof Error ? error.message : String(error)}`;
              note.className = 'error';
            },
          );
        },
      },
      h('h1', {}, 'Sign in'),
      note,
      h('label', { for: 'admin-key' }, 'Admin API key'),
      input,
      h('button', { type: 'submit', class: 'primary' }, 'Open the dashboard'),
    ),
  );
  input.focus();
}

function render(): void {
  unmount?.();
  unmount = null;
  const [name = 'fleet', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const arg = rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined;
  const nav = h(
    'nav',
    { class: 'topnav' },
    h('a', { class: 'brand', href: '#/fleet' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, h('i', {}), h('i', {})), 'Slotwise'),
    h('div', { class: 'links' }, ...Object.entries(routes).filter(([, r]) => r.nav).map(([k, r]) => h('a', { href: `#/${k}`, class: k === name || (name === 'device' && k === 'fleet') ? 'active' : '' }, r.title))),
    adminKey() === null ? null : h('button', { class: 'link signout', onclick: () => { setAdminKey(null); location.hash = '#/signin'; } }, 'Sign out'),
  );
  const main = h('main', {});
  app.replaceChildren(nav, main);
  if (name === 'signin' || adminKey() === null) {
    signIn(main);
    return;
  }
  const route = routes[name] ?? routes.fleet!;
  document.title = `${route.title}${arg === undefined ? '' : ` ${arg}`} · Slotwise`;
  unmount = route.page(main, arg);
}

adoptKeyFromUrl();
window.addEventListener('hashchange', render);
render();
