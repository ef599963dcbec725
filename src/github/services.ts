import type { ArtifactService } from '../store/artifact-service.js';
import type { StoreOptions } from '../store/options.js';

/** Loads @actions/artifact only when an artifact:// destination is used. */
export const loadGithubArtifacts = (): Promise<ArtifactService> =>
  import('./artifact.js').then((m) => m.githubArtifactService());

/** Fills in the GitHub services a store may need, unless a caller (a test) injected its own. */
export function withGithubServices(options: StoreOptions): StoreOptions {
  if (!options.artifact || options.artifact.service) return options;
  return { ...options, artifact: { ...options.artifact, service: loadGithubArtifacts } };
}
