/** Errors carry what was expected and what was found; the entry points print `message` and nothing else. */
export class KubesafeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bad input: names the input, quotes the value, says what is expected. Raised before any change. */
export class InputError extends KubesafeError {
  constructor(
    readonly input: string,
    value: string,
    expected: string,
  ) {
    super(
      `${input}: ${value === '' ? 'empty value' : JSON.stringify(value)} is not valid; expected ${expected}`,
    );
  }
}

/** The world is not in a state where the operation may start (nothing was changed). */
export class PreconditionFailed extends KubesafeError {}

/** Data does not match its recorded hash or length. */
export class IntegrityError extends KubesafeError {}

/** A store, an API or a member failed in a way that a retry may fix. */
export class TransientError extends KubesafeError {}

/** A store could not be reached or refused the request. */
export class StoreError extends KubesafeError {}

/** A wait ran out of time. */
export class TimeoutError extends KubesafeError {}

/** Work stopped on purpose, because a parallel part of the same operation failed. */
export class Cancelled extends KubesafeError {}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
