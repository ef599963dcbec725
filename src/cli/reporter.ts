import cliProgress from 'cli-progress';
import { progressLine, type Progress, type Reporter } from '../report.js';

/** Reporter for a terminal or a non-GitHub CI log: logs to stderr, outputs collected for stdout. */
export class CliReporter implements Reporter {
  readonly inActions = false;
  readonly outputs: Record<string, string> = {};
  readonly summaries: string[] = [];
  private readonly secrets = new Set<string>();
  private depth = 0;

  constructor(private readonly err: NodeJS.WriteStream = process.stderr) {}

  /** Replaces every registered secret in `text`. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }

  private write(line: string): void {
    this.err.write(`${'  '.repeat(this.depth)}${this.redact(line)}\n`);
  }
  info(message: string): void {
    for (const l of message.split('\n')) this.write(l);
  }
  warn(message: string): void {
    this.write(`warning: ${message}`);
  }
  secret(value: string): void {
    if (value.length >= 4) this.secrets.add(value);
    // Multi-line secrets (PEM keys) are also masked line by line, as the runner does.
    for (const line of value.split('\n')) if (line.trim().length >= 8) this.secrets.add(line.trim());
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.write(`▸ ${name}`);
    this.depth++;
    const start = Date.now();
    try {
      return await fn();
    } finally {
      this.write(`(${((Date.now() - start) / 1000).toFixed(1)} s)`);
      this.depth--;
    }
  }
  saveState(): void {}
  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
  }
  summary(markdown: string): void {
    this.summaries.push(markdown);
  }
  progress(label: string, totalBytes?: number): Progress {
    const start = Date.now();
    let bytes = 0;
    if (this.err.isTTY) {
      const bar = new cliProgress.SingleBar(
        {
          format: `${label} [{bar}] {percentage}% {value_mib} MiB {rate} MiB/s`,
          hideCursor: true,
          stream: this.err,
        },
        cliProgress.Presets.shades_classic,
      );
      const total = totalBytes && totalBytes > 0 ? totalBytes : 0;
      bar.start(total || 1, 0, { value_mib: '0.0', rate: '0.0' });
      return {
        add: (n) => {
          bytes += n;
          const secs = (Date.now() - start) / 1000 || 1;
          if (!total) bar.setTotal(bytes + 1);
          bar.update(bytes, {
            value_mib: (bytes / 1048576).toFixed(1),
            rate: (bytes / 1048576 / secs).toFixed(1),
          });
        },
        done: () => bar.stop(),
      };
    }
    let last = start;
    return {
      add: (n) => {
        bytes += n;
        if (Date.now() - last >= 5000) {
          last = Date.now();
          this.write(progressLine(label, bytes, last - start, totalBytes));
        }
      },
      done: () => this.write(progressLine(label, bytes, Date.now() - start, totalBytes)),
    };
  }
}
