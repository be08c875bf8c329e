/** One error type for everything a user can get wrong; `code` is stable, `hint` says what to do. */
export type ErrorCode =
  | "INVALID_OPTION"
  | "INPUT_NOT_FOUND"
  | "INPUT_UNREADABLE"
  | "INPUT_TOO_LARGE"
  | "INPUT_EMPTY"
  | "SIZE_MISMATCH"
  | "OUTPUT_NOT_WRITABLE"
  | "OUTPUT_IS_INPUT"
  | "MODEL_NOT_FOUND"
  | "MODEL_INVALID"
  | "MODEL_CONTRACT"
  | "ALIGNMENT_FAILED"
  | "QUEUE_UNREACHABLE"
  | "JOBS_FAILED"
  | "DISPOSED"
  | "ABORTED";

export class BgmatteError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  constructor(code: ErrorCode, message: string, hint: string) {
    super(hint ? `${message}\n  → ${hint}` : message);
    this.name = "BgmatteError";
    this.code = code;
    this.hint = hint;
  }
}

/** Stop long work when its AbortSignal fired: an ABORTED error that names what stopped. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new BgmatteError("ABORTED", `${what} was aborted`, "");
}
