/**
 * The part of a workflow-artifact service the artifact store needs. The GitHub implementation lives in
 * src/github/artifact.ts (only src/github/ imports @actions/*); tests use an in-memory mock.
 * Artifacts are immutable, so the store keeps one artifact per object.
 */
export interface ArtifactService {
  /** Uploads one file as the artifact `name`, unzipped, kept `retentionDays` (the repository's default when unset). */
  upload(name: string, file: string, retentionDays?: number): Promise<void>;
  list(): Promise<{ name: string; size: number; createdAt?: Date }[]>;
  /** Downloads the artifact's file into `dir`; returns its path. Rejects when there is no such artifact. */
  download(name: string, dir: string): Promise<string>;
  delete(name: string): Promise<void>;
}
