/**
 * @module service/artifacts
 * Artifact uploads. An MCUboot image (recognised by its header magic) is parsed and verified
 * before anything is stored — hash, signature against the tenant's trusted keys when it has
 * any, and the downgrade guard; any other file is stored as an opaque artifact (SWUpdate and
 * RAUC bundles). Bytes go to the content-addressed blob store first (atomic), the record second,
 * so a record never points at missing or partial bytes.
 */
import type { ArtifactRecord } from '../store/store.js';
import type { BlobStore } from '../blob/blob-store.js';
import { ApiError } from '../http/errors.js';
import { audit } from './audit.js';
import type { ServiceContext } from './context.js';
import { compareMcubootVersions } from './versions.js';

/** What the image module says about uploaded bytes. */
export type ImageInspection =
  | { kind: 'opaque' }
  | { kind: 'mcuboot'; version: string; imageHash: string; signed: boolean }
  | { kind: 'rejected'; reason: string; detail: string };

/** The image-verification port (backed by @slotwise/core/image in production). */
export type ImageInspector = (bytes: Uint8Array, policy: { trustedKeysPem: readonly string[] }) => Promise<ImageInspection>;

const MAX_FILENAME = 200;

/** Rejects names a device or file system could misread: separators, dot-dot, control characters. */
export function validateFilename(name: string): void {
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > MAX_FILENAME || /[/\\\u0000-\u001f\u007f]/.test(name) || name === '.' || name === '..' || name.startsWith('.')) {
    throw new ApiError('SW_ERR_ARTIFACT_NAME_INVALID', `Artifact name '${name.slice(0, 60)}' must be 1–${MAX_FILENAME} characters without '/', '\\', control characters or a leading dot.`);
  }
}

export interface ArtifactService {
  upload(tenant: string, bytes: Uint8Array, filename: string, actor: string): Promise<{ artifact: ArtifactRecord; created: boolean }>;
  get(tenant: string, sha256: string): Promise<ArtifactRecord>;
  list(tenant: string): Promise<ArtifactRecord[]>;
}

export function createArtifactService(ctx: ServiceContext, deps: { blobs: BlobStore; inspect: ImageInspector; trustedKeys: (tenant: string) => Promise<{ keys: string[]; downgradeGuard: boolean }> }): ArtifactService {
  const service: ArtifactService = {
    async upload(tenant, bytes, filename, actor) {
      validateFilename(filename);
      if (bytes.byteLength === 0) throw new ApiError('SW_ERR_ARTIFACT_EMPTY', 'The upload has no bytes.');
      const policy = await deps.trustedKeys(tenant);
      const inspection = await deps.inspect(bytes, { trustedKeysPem: policy.keys });
      if (inspection.kind === 'rejected') {
        ctx.log.warn({ tenant, filename, reason: inspection.reason }, `upload rejected: ${inspection.detail}`);
        throw new ApiError('SW_ERR_IMAGE_REJECTED', `MCUboot image rejected (${inspection.reason}): ${inspection.detail}`);
      }
      if (inspection.kind === 'mcuboot' && policy.downgradeGuard) {
        for (const other of await ctx.store.listArtifacts(tenant)) {
          if (other.imageVersion === null) continue;
          const cmp = compareMcubootVersions(inspection.version, other.imageVersion);
          if (cmp !== null && cmp < 0) throw new ApiError('SW_ERR_IMAGE_DOWNGRADE', `Image version ${inspection.version} is lower than stored ${other.imageVersion} (${other.filename}); the tenant's downgrade guard is on.`);
        }
      }
      const d = await deps.blobs.put(bytes);
      const artifact: ArtifactRecord = {
        tenant,
        sha256: d.sha256,
        sha1: d.sha1,
        md5: d.md5,
        sizeBytes: d.sizeBytes,
        filename,
        kind: inspection.kind,
        imageVersion: inspection.kind === 'mcuboot' ? inspection.version : null,
        imageHash: inspection.kind === 'mcuboot' ? inspection.imageHash : null,
        signed: inspection.kind === 'mcuboot' && inspection.signed,
        createdMs: ctx.clock.nowMs(),
      };
      const created = await ctx.store.putArtifact(artifact);
      const stored = created ? artifact : await service.get(tenant, d.sha256);
      if (created) await audit(ctx, tenant, actor, 'artifact.uploaded', `artifact:${d.sha256}`, { filename, sizeBytes: d.sizeBytes, kind: artifact.kind, imageVersion: artifact.imageVersion });
      return { artifact: stored, created };
    },
    async get(tenant, sha256) {
      const a = await ctx.store.getArtifact(tenant, sha256.toLowerCase());
      if (a === null) throw new ApiError('SW_ERR_ARTIFACT_NOT_FOUND', `Artifact ${sha256} does not exist.`);
      return a;
    },
    list: (tenant) => ctx.store.listArtifacts(tenant),
  };
  return service;
}
