import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { progressLine, type Progress, type Reporter } from '../report.js';

const PROGRESS_EVERY_MS = 5000;

/** Reporter for the Actions runner: log groups, masked secrets, step outputs, the job summary. */
export class ActionsReporter implements Reporter {
  readonly inActions = true;
  private readonly summaries: string[] = [];

  info(message: string): void {
    core.info(message);
  }
  warn(message: string): void {
    core.warning(message);
  }
  secret(value: string): void {
    if (value === '') return;
    core.setSecret(value);
    // A multi-line secret (a PEM key) is also masked line by line, so no single line of it can leak.
    for (const line of value.split('\n')) if (line.trim().length >= 8) core.setSecret(line.trim());
  }
  group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return core.group(name, async () => {
      const start = Date.now();
      try {
        return await fn();
      } finally {
        core.info(`(${((Date.now() - start) / 1000).toFixed(1)} s)`);
      }
    });
  }
  async publishArtifact(name: string, file: string): Promise<void> {
    const { githubArtifactService } = await import('./artifact.js');
    // The service moves the file it uploads: give it a copy.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kubesafe-publish-'));
    try {
      const copy = path.join(dir, path.basename(file));
      await copyFile(file, copy);
      await githubArtifactService().upload(name, copy);
      core.info(`uploaded artifact ${name}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  saveState(name: string, value: string): void {
    core.saveState(name, value);
  }
  setOutput(name: string, value: string): void {
    core.setOutput(name, value);
  }
  summary(markdown: string): void {
    this.summaries.push(markdown);
  }
  progress(label: string, totalBytes?: number): Progress {
    const start = Date.now();
    let bytes = 0;
    let last = start;
    return {
      add: (n) => {
        bytes += n;
        const now = Date.now();
        if (now - last >= PROGRESS_EVERY_MS) {
          last = now;
          core.info(progressLine(label, bytes, now - start, totalBytes));
        }
      },
      done: () => core.info(progressLine(label, bytes, Date.now() - start, totalBytes)),
    };
  }

  async flushSummary(): Promise<void> {
    if (this.summaries.length === 0 || !process.env.GITHUB_STEP_SUMMARY) return;
    await core.summary.addRaw(this.summaries.join('\n\n'), true).write();
  }
}
