/**
 * @module service/releases
 * Releases (hawkBit distribution sets with one software module): a name, a version, a part
 * (`bApp` for MCUboot application images, as Zephyr requires) and one or more stored artifacts,
 * each under the file name the device sees. The release id doubles as the DDI software-module id.
 */
import type { ReleaseRecord } from '../store/store.js';
import { ApiError } from '../http/errors.js';
import { audit } from './audit.js';
import type { ServiceContext } from './context.js';
import { validateFilename } from './artifacts.js';

export interface CreateReleaseInput {
  name: string;
  version: string;
  part?: string;
  artifacts: { sha256: string; filename?: string }[];
}

export interface ReleaseService {
  create(tenant: string, input: CreateReleaseInput, actor: string): Promise<ReleaseRecord>;
  get(tenant: string, id: number): Promise<ReleaseRecord>;
  list(tenant: string): Promise<ReleaseRecord[]>;
}

export function createReleaseService(ctx: ServiceContext): ReleaseService {
  return {
    async create(tenant, input, actor) {
      if (input.artifacts.length === 0) throw new ApiError('SW_ERR_REQUEST_INVALID', 'A release needs at least one artifact.');
      const artifacts: ReleaseRecord['artifacts'] = [];
      for (const ref of input.artifacts) {
        const a = await ctx.store.getArtifact(tenant, ref.sha256.toLowerCase());
        if (a === null) throw new ApiError('SW_ERR_ARTIFACT_NOT_FOUND', `Artifact ${ref.sha256} is not uploaded; POST /api/v1/artifacts first.`);
        const filename = ref.filename ?? a.filename;
        validateFilename(filename);
        if (artifacts.some((x) => x.filename === filename)) throw new ApiError('SW_ERR_ARTIFACT_NAME_INVALID', `Two artifacts of the release are both named '${filename}'.`);
        artifacts.push({ sha256: a.sha256, filename });
      }
      if ((await ctx.store.findRelease(tenant, input.name, input.version)) !== null) throw new ApiError('SW_ERR_RELEASE_EXISTS', `Release ${input.name} ${input.version} already exists.`);
      let release: ReleaseRecord;
      try {
        release = await ctx.store.createRelease({ tenant, name: input.name, version: input.version, part: input.part ?? 'bApp', artifacts, createdMs: ctx.clock.nowMs() });
      } catch (error) {
        throw new ApiError('SW_ERR_RELEASE_EXISTS', `Release ${input.name} ${input.version} already exists.`, { cause: error });
      }
      await audit(ctx, tenant, actor, 'release.created', `release:${release.id}`, { name: release.name, version: release.version, artifacts });
      return release;
    },
    async get(tenant, id) {
      const r = await ctx.store.getRelease(id);
      if (r === null || r.tenant !== tenant) throw new ApiError('SW_ERR_RELEASE_NOT_FOUND', `Release ${id} does not exist.`);
      return r;
    },
    list: (tenant) => ctx.store.listReleases(tenant),
  };
}
