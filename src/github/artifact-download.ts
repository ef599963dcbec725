import { DefaultArtifactClient } from '@actions/artifact';

/** Downloads a workflow artifact of this run by name into `dir`; returns the folder it landed in. */
export async function downloadArtifactByName(name: string, dir: string): Promise<string> {
  const client = new DefaultArtifactClient();
  const { artifact } = await client.getArtifact(name);
  const res = await client.downloadArtifact(artifact.id, { path: dir });
  return res.downloadPath ?? dir;
}
