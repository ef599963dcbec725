import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import type { ArtifactService } from '../store/artifact-service.js';

/**
 * Workflow artifacts of the current run through @actions/artifact. Each object is one unzipped
 * artifact (skipArchive), whose name is the file's base name, so the file is renamed to it first.
 */
export function githubArtifactService(): ArtifactService {
  const client = new DefaultArtifactClient();
  return {
    async upload(name, file, retentionDays) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'kubesafe-artifact-'));
      const named = path.join(dir, name);
      try {
        await rename(file, named);
        await client.uploadArtifact(name, [named], dir, { retentionDays, skipArchive: true });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async list() {
      const { artifacts } = await client.listArtifacts({ latest: true });
      return artifacts.map((a) => ({ name: a.name, size: a.size, createdAt: a.createdAt }));
    },
    async download(name, dir) {
      const { artifact } = await client.getArtifact(name);
      await client.downloadArtifact(artifact.id, { path: dir, skipDecompress: true });
      const files = await readdir(dir);
      if (files.length !== 1) throw new Error(`artifact ${name}: expected one file, found ${files.length}`);
      return path.join(dir, files[0]!);
    },
    async delete(name) {
      await client.deleteArtifact(name);
    },
  };
}
