import { readFile } from 'node:fs/promises';

/**
 * What an operation tells the world. The Actions implementation (src/github/) maps this onto the
 * runner's log groups, outputs, masks and job summary; the CLI prints to the terminal.
 * Operations receive one and never import @actions/* themselves.
 */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  /** Never printed again: masked in Actions logs, and the CLI refuses to echo it. */
  secret(value: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  setOutput(name: string, value: string): void;
  /** Markdown appended to the job summary (or printed at the end on a terminal). */
  summary(markdown: string): void;
  progress(label: string, totalBytes?: number): Progress;
  /** Uploads a file as a workflow artifact when running in Actions; undefined elsewhere. */
  publishArtifact?(name: string, file: string): Promise<void>;
  /** Kept for the action's post step (GITHUB_STATE); the CLI, which has none, ignores it. */
  saveState(name: string, value: string): void;
  /** True when running inside GitHub Actions. */
  readonly inActions: boolean;
}

export interface Progress {
  add(bytes: number): void;
  done(): void;
}

export interface RunContext {
  /** The workflow run URL and commit, when running in Actions. */
  runUrl?: string;
  commit?: string;
  repository?: string;
}

/** A Reporter that only records: for tests and for nested operations whose output is folded in. */
export class RecordingReporter implements Reporter {
  readonly lines: string[] = [];
  readonly outputs: Record<string, string> = {};
  readonly summaries: string[] = [];
  readonly secrets: string[] = [];
  readonly state: Record<string, string> = {};
  /** Files "uploaded" as artifacts, by name: a stand-in for the GitHub artifact service, which cannot run here. */
  readonly artifacts: Record<string, string> = {};
  readonly inActions = false;
  async publishArtifact(name: string, file: string): Promise<void> {
    this.artifacts[name] = await readFile(file, 'utf8');
  }
  saveState(name: string, value: string): void {
    this.state[name] = value;
  }
  info(message: string): void {
    this.lines.push(message);
  }
  warn(message: string): void {
    this.lines.push(`warning: ${message}`);
  }
  secret(value: string): void {
    this.secrets.push(value);
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.lines.push(`## ${name}`);
    return fn();
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
  }
  summary(markdown: string): void {
    this.summaries.push(markdown);
  }
  progress(): Progress {
    return { add: () => undefined, done: () => undefined };
  }
}

/** Throttled progress text: bytes, percent when the total is known, MB/s. */
export function progressLine(label: string, bytes: number, elapsedMs: number, total?: number): string {
  const mib = bytes / 1048576;
  const rate = elapsedMs > 0 ? mib / (elapsedMs / 1000) : 0;
  const pct = total && total > 0 ? ` (${Math.min(100, (bytes / total) * 100).toFixed(1)}%)` : '';
  return `${label}: ${mib.toFixed(1)} MiB${pct}, ${rate.toFixed(1)} MiB/s`;
}
