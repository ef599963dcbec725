import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StoreError, errorMessage } from '../errors.js';
import type { ArtifactService } from './artifact-service.js';
import { joinKey, type BackupStore, type StoredObject } from './store.js';

/** Artifact names may not hold `/` (nor `" : < > | * ? \`): keys are percent-encoded into one name. */
export function artifactNameFor(storeName: string, key: string): string {
  return `${storeName}/${joinKey(key)}`.replace(/%/g, '%25').replace(/\//g, '%2F');
}

export function keyFromArtifactName(storeName: string, artifactName: string): string | undefined {
  const full = artifactName.replace(/%2F/g, '/').replace(/%25/g, '%');
  return full.startsWith(storeName + '/') ? full.slice(storeName.length + 1) : undefined;
}

/**
 * Workflow artifacts of the current run as a store: one artifact per object, kept `retentionDays`.
 * An artifact is uploaded from a file, so `put` spools the stream to a temporary file first.
 * Artifacts of other runs are not listed: prune and list see the current run only.
 */
export class ArtifactStore implements BackupStore {
  readonly rootUri: string;

  constructor(
    private readonly name: string,
    private readonly service: ArtifactService,
    private readonly retentionDays?: number,
  ) {
    this.rootUri = `artifact://${name}`;
  }

  private async withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kubesafe-artifact-'));
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async put(key: string, body: Readable): Promise<void> {
    const name = artifactNameFor(this.name, key);
    await this.withTempDir(async (dir) => {
      const file = path.join(dir, 'object');
      await pipeline(body, createWriteStream(file, { highWaterMark: 1 << 20 }));
      // Artifacts are immutable and their names unique within a run: replace by delete + upload.
      if (await this.exists(key)) await this.delete(key);
      try {
        await this.service.upload(name, file, this.retentionDays);
      } catch (err) {
        throw new StoreError(`${this.uriFor(key)}: artifact upload failed: ${errorMessage(err)}`, {
          cause: err,
        });
      }
    });
  }

  async get(key: string): Promise<Readable> {
    if (!(await this.exists(key))) throw new StoreError(`${this.uriFor(key)}: no such object`);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kubesafe-artifact-'));
    try {
      const file = await this.service.download(artifactNameFor(this.name, key), dir);
      const stream = createReadStream(file, { highWaterMark: 1 << 20 });
      stream.once('close', () => void rm(dir, { recursive: true, force: true }));
      return stream;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw new StoreError(`${this.uriFor(key)}: artifact download failed: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    for (const a of await this.service.list()) {
      const key = keyFromArtifactName(this.name, a.name);
      if (key === undefined || !key.startsWith(prefix)) continue;
      out.push({ key, sizeBytes: a.size, modified: a.createdAt ?? new Date(0) });
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async exists(key: string): Promise<boolean> {
    const name = artifactNameFor(this.name, key);
    return (await this.service.list()).some((a) => a.name === name);
  }

  async delete(key: string): Promise<void> {
    if (!(await this.exists(key))) return;
    await this.service.delete(artifactNameFor(this.name, key));
  }

  uriFor(key: string): string {
    return `artifact://${this.name}/${joinKey(key)}`;
  }

  async close(): Promise<void> {}
}
