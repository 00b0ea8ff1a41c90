/**
 * @module pages/releases
 * Releases: the uploaded artifacts and releases, with the server's verdict (MCUboot image,
 * signed by a trusted key, image hash). Choosing a file parses its MCUboot header and TLVs
 * right here in the browser with `@slotwise/core/image` (parsing needs no crypto); uploading
 * it lets the server verify hash and signature, and a release can be created from it.
 */
import { parseImage, tlvName, flagNames, formatVersion, type ParsedImage } from '@slotwise/core/image';
import { api, type Artifact, type Release } from '../api.js';
import { ago, badge, bytes, h } from '../dom.js';
import { errorBox, live, type Page } from '../page.js';

const hex = (n: number, width = 8): string => `0x${n.toString(16).padStart(width, '0')}`;
const hexBytes = (b: Uint8Array, max = 32): string => Array.from(b.subarray(0, max), (x) => x.toString(16).padStart(2, '0')).join('') + (b.length > max ? '…' : '');

function headerTable(p: ParsedImage, sizeBytes: number): HTMLElement {
  const hd = p.header;
  const rows: [string, string][] = [
    ['magic', hex(hd.magic)],
    ['version', formatVersion(hd.version)],
    ['header size', `${hd.hdrSize} bytes`],
    ['image size', `${hd.imgSize} bytes`],
    ['protected TLV size', `${hd.protectTlvSize} bytes`],
    ['load address', hex(hd.loadAddr)],
    ['flags', flagNames(hd.flags).join(', ') || 'none'],
    ['file size', `${sizeBytes} bytes (TLVs end at ${p.tlvEnd})`],
  ];
  const tlvs = [...p.protectedTlvs.map((t) => ({ t, area: 'protected' })), ...p.unprotectedTlvs.map((t) => ({ t, area: 'unprotected' }))];
  return h(
    'div',
    { class: 'parsed', 'data-testid': 'parsed-image' },
    h('h3', {}, 'MCUboot header'),
    h('table', { class: 'kv' }, h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, h('code', {}, v)))))),
    h('h3', {}, `TLVs (${tlvs.length})`),
    h('table', { class: 'tlvs' }, h('thead', {}, h('tr', {}, h('th', {}, 'type'), h('th', {}, 'area'), h('th', {}, 'length'), h('th', {}, 'value'))), h('tbody', {}, ...tlvs.map(({ t, area }) => h('tr', {}, h('td', {}, `${tlvName(t.type)} (${hex(t.type, 2)})`), h('td', {}, area), h('td', {}, String(t.len)), h('td', {}, h('code', { class: 'wrap' }, hexBytes(t.value))))))),
    p.issues.length === 0 ? null : h('div', { class: 'warn-box' }, 'Parser notes: ', p.issues.map((i) => `${i.reason}: ${i.detail}`).join('; ')),
  );
}

function uploadCard(onDone: () => void): HTMLElement {
  const out = h('div', {});
  const input = h('input', { id: 'upload-file', type: 'file', accept: '.bin,.img,application/octet-stream' });
  const chosen: { bytes: Uint8Array | null; name: string } = { bytes: null, name: '' };
  const uploadBtn = h('button', { class: 'primary', id: 'upload-submit', disabled: true }, 'Upload and verify');
  const verdict = h('div', { 'aria-live': 'polite' });
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    verdict.replaceChildren();
    if (file === undefined) return;
    file.arrayBuffer().then((buf) => {
      const b = new Uint8Array(buf);
      chosen.bytes = b;
      chosen.name = file.name;
      uploadBtn.disabled = false;
      const parsed = parseImage(b, { lenient: true });
      out.replaceChildren(parsed.ok ? headerTable(parsed.image, b.length) : h('div', { class: 'warn-box' }, `Not a parseable MCUboot image (${parsed.reason}): ${parsed.detail}. It can still be uploaded as an opaque artifact.`));
    });
  });
  uploadBtn.addEventListener('click', () => {
    if (chosen.bytes === null) return;
    uploadBtn.disabled = true;
    verdict.replaceChildren(h('span', { class: 'muted' }, 'Uploading…'));
    api<Artifact>('POST', `/api/v1/artifacts?filename=${encodeURIComponent(chosen.name)}`, chosen.bytes, 'application/octet-stream').then(
      (a) => {
        uploadBtn.disabled = false;
        verdict.replaceChildren(verdictView(a), releaseForm(a, onDone));
        onDone();
      },
      (error: unknown) => {
        uploadBtn.disabled = false;
        verdict.replaceChildren(h('h3', {}, 'Server verification'), errorBox(error));
      },
    );
  });
  return h('div', { class: 'card upload' }, h('h2', {}, 'Upload an image'), h('p', { class: 'muted' }, 'The header and TLVs are parsed here in your browser; the server verifies hash and signature against the tenant’s trusted keys when you upload.'), h('div', { class: 'toolbar' }, input, uploadBtn), out, verdict);
}

function verdictView(a: Artifact): HTMLElement {
  return h(
    'div',
    { class: 'verdict', 'data-testid': 'verdict' },
    h('h3', {}, 'Server verification'),
    a.kind === 'mcuboot' ? badge(a.signed ? 'signature verified (trusted key)' : 'hash verified, unsigned', a.signed ? 'ok' : 'warn') : badge('opaque artifact (not MCUboot)', 'muted'),
    a.imageHash === null ? null : h('p', {}, 'image hash ', h('code', { class: 'wrap' }, a.imageHash)),
  );
}

function releaseForm(a: Artifact, onDone: () => void): HTMLElement {
  const name = h('input', { id: 'release-name', value: 'sensor-fw', required: true });
  const version = h('input', { id: 'release-version', value: a.imageVersion?.replace(/\+0$/, '') ?? '', required: true });
  const msg = h('div', {});
  return h(
    'form',
    {
      class: 'inline-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        api<Release>('POST', '/api/v1/releases', { name: name.value, version: version.value, artifacts: [{ sha256: a.sha256, filename: a.filename }] }).then(
          (r) => {
            msg.replaceChildren(h('span', { class: 'ok-text' }, `Release ${r.name} ${r.version} created (#${r.id}).`));
            onDone();
          },
          (error: unknown) => msg.replaceChildren(errorBox(error)),
        );
      },
    },
    h('label', { class: 'field' }, h('span', {}, 'Release name'), name),
    h('label', { class: 'field' }, h('span', {}, 'Version'), version),
    h('button', { type: 'submit' }, 'Create release'),
    msg,
  );
}

export const releasesPage: Page = (el) => {
  const list = h('div', {});
  let refresh = (): void => undefined;
  el.replaceChildren(h('h1', {}, 'Releases'), h('div', { class: 'releases-layout' }, list, uploadCard(() => refresh())));
  const l = live(
    list,
    async () => ({ releases: await api<Release[]>('GET', '/api/v1/releases'), artifacts: await api<Artifact[]>('GET', '/api/v1/artifacts') }),
    ({ releases, artifacts }) => {
      const bySha = new Map(artifacts.map((a) => [a.sha256, a]));
      return h(
        'div',
        { class: 'card' },
        h('h2', {}, 'Releases'),
        releases.length === 0
          ? h('p', { class: 'muted' }, 'No releases yet.')
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { 'data-testid': 'release-table' },
                h('thead', {}, h('tr', {}, h('th', {}, 'Release'), h('th', {}, 'Artifact'), h('th', {}, 'Image'), h('th', {}, 'Signature'), h('th', {}, 'Created'))),
                h(
                  'tbody',
                  {},
                  ...[...releases].reverse().flatMap((r) =>
                    r.artifacts.map((ref) => {
                      const a = bySha.get(ref.sha256);
                      return h(
                        'tr',
                        {},
                        h('td', {}, h('strong', {}, `${r.name} ${r.version}`)),
                        h('td', {}, ref.filename, h('div', { class: 'muted' }, a === undefined ? '' : bytes(a.sizeBytes))),
                        h('td', {}, a?.imageVersion === null || a === undefined ? 'opaque' : h('code', {}, a.imageVersion), a?.imageHash ? h('div', { class: 'muted mono' }, `${a.imageHash.slice(0, 16)}…`) : null),
                        h('td', {}, a === undefined ? '?' : a.kind !== 'mcuboot' ? badge('n/a', 'muted') : a.signed ? badge('verified', 'ok') : badge('unsigned', 'warn')),
                        h('td', {}, ago(r.createdMs)),
                      );
                    }),
                  ),
                ),
              ),
            ),
      );
    },
    5000,
  );
  refresh = l.refresh;
  return l.stop;
};
