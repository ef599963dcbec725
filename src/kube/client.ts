import { existsSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { InputError, KubesafeError, TransientError } from '../errors.js';

export { k8s };

export interface KubeAccessSettings {
  /** A kubeconfig path or the file's content; empty: KUBECONFIG, then in-cluster. */
  kubeconfig: string;
  context: string;
}

/** Loads the caller's kubeconfig once. Content given inline is never logged. */
export function loadKubeConfig(settings: KubeAccessSettings): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  const value = settings.kubeconfig.trim();
  try {
    if (value === '') kc.loadFromDefault();
    else if (/^\s*(apiVersion|clusters|kind|current-context)\s*:/m.test(value)) kc.loadFromString(value);
    else if (existsSync(value)) kc.loadFromFile(value);
    else
      throw new InputError(
        'kubeconfig',
        value.length > 120 ? '<content>' : value,
        'the path of a kubeconfig file or its YAML content',
      );
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      'kubeconfig',
      value.includes('\n') ? '<content>' : value,
      `a readable kubeconfig (${(err as Error).message})`,
    );
  }
  if (settings.context !== '') {
    if (!kc.getContexts().some((c) => c.name === settings.context)) {
      throw new InputError(
        'context',
        settings.context,
        `one of the kubeconfig's contexts: ${kc
          .getContexts()
          .map((c) => c.name)
          .join(', ')}`,
      );
    }
    kc.setCurrentContext(settings.context);
  }
  if (!kc.getCurrentCluster())
    throw new InputError('kubeconfig', '<content>', 'a kubeconfig with a current context and cluster');
  return kc;
}

/** The HTTP status of a client-node error, when it has one. */
export function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown; response?: { statusCode?: number } };
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return e?.response?.statusCode;
}

/** 429, 5xx, 409 conflicts and connection resets are worth another try; 403, 404, 422 are not. */
export function isTransient(err: unknown): boolean {
  if (err instanceof TransientError) return true;
  const status = statusOf(err);
  if (status !== undefined) return status === 409 || status === 429 || status >= 500;
  const code = (err as { code?: string })?.code;
  return (
    typeof code === 'string' &&
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET'].includes(code)
  );
}

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Retries transient API errors with exponential backoff and jitter; a permanent error is thrown at once. */
export async function withRetry<T>(
  what: string,
  fn: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 6;
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 5000;
  const sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || attempt >= attempts)
        throw attempt > 1
          ? new KubesafeError(`${what}: ${describeApiError(err)} (after ${attempt} attempts)`, { cause: err })
          : err;
      await sleep(Math.min(max, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
    }
  }
}

/** One line for an API error: status and the server's message, never a request body. */
export function describeApiError(err: unknown): string {
  const status = statusOf(err);
  const body = (err as { body?: unknown })?.body;
  let message: string | undefined;
  if (typeof body === 'string') {
    try {
      message = (JSON.parse(body) as { message?: string }).message;
    } catch {
      message = body.slice(0, 300);
    }
  } else if (body && typeof body === 'object') message = (body as { message?: string }).message;
  message ??= (err as Error)?.message ?? String(err);
  return status ? `HTTP ${status}: ${message}` : message;
}
