import type { ApiError, ApiErrorCode } from '../contract';

/** A failure with a stable code that crosses the API boundary as a value (see contract.ts). */
export class ApiFailure extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** Turn anything thrown into an ApiError a planner can read; unknown errors keep their message. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiFailure) return { code: err.code, message: err.message, detail: err.detail };
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}
