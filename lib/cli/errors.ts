/**
 * The command line's failures: every one is an `MlPredictError` (its library code) carrying the
 * exit code the process ends with. `exitCodeOf` maps any thrown value to its exit code;
 * `oneLine` is what the tool prints (one line, naming the file and what was expected).
 */
import { isMlPredictError, MlPredictError, type MlPredictErrorCode } from '../errors.js';

/** Exit codes, as `ml-predict --help` and CLI.md list them. */
export const EXIT = {
  ok: 0,
  /** An unexpected failure (a bug): the message says what happened. */
  internal: 1,
  /** Unknown command or flag, a missing or bad flag value. */
  usage: 2,
  /** A file that cannot be read or written (missing, a folder, no permission). */
  file: 3,
  /** The model is not ONNX, or onnxruntime-web cannot run it. */
  model: 4,
  /** The CSV is empty, malformed, or does not fit the model's inputs. */
  data: 5,
  /** The card is invalid or describes other bytes. */
  card: 6,
  /** The registry is not JSON or not a valid registry. */
  registry: 7,
  /** Refused: a published version's bytes would change, or another publish holds the registry. */
  refused: 8,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_CODE: Partial<Record<MlPredictErrorCode, ExitCode>> = {
  INVALID_ARGUMENT: EXIT.usage,
  MODEL_INVALID: EXIT.model,
  UNSUPPORTED_MODEL: EXIT.model,
  NO_BACKEND: EXIT.model,
  RUN_FAILED: EXIT.model,
  CSV_INVALID: EXIT.data,
  INPUT_MISMATCH: EXIT.data,
  CARD_INVALID: EXIT.card,
  REGISTRY_INVALID: EXIT.registry,
  UNKNOWN_MODEL: EXIT.registry,
  FETCH_FAILED: EXIT.file,
};

/** An MlPredictError that ends the process with `exit`. */
export function cliError(exit: ExitCode, code: MlPredictErrorCode, message: string, details: Record<string, unknown> = {}): MlPredictError {
  return new MlPredictError(code, message, { ...details, exit });
}

export const usageError = (message: string): MlPredictError => cliError(EXIT.usage, 'INVALID_ARGUMENT', message);

/** The exit code for a failure: its own, else by its library code; anything else is internal. */
export function exitCodeOf(e: unknown): ExitCode {
  if (!isMlPredictError(e)) return EXIT.internal;
  const own = e.details?.exit;
  if (typeof own === 'number' && (Object.values(EXIT) as number[]).includes(own)) return own as ExitCode;
  return BY_CODE[e.code] ?? EXIT.internal;
}

/** A Node file-system error (ENOENT, EISDIR, EACCES…) as a one-line failure naming the file. */
export function fileError(e: unknown, file: string, doing: 'read' | 'write'): MlPredictError {
  const code = (e as { code?: unknown })?.code;
  const why =
    code === 'ENOENT'
      ? doing === 'read'
        ? 'no such file'
        : 'its folder does not exist'
      : code === 'EISDIR'
        ? 'it is a folder, expected a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : e instanceof Error
            ? e.message
            : String(e);
  return cliError(EXIT.file, 'INVALID_ARGUMENT', `Cannot ${doing} ${JSON.stringify(file)}: ${why}.`, { file });
}

/** The message as one line (line breaks folded to spaces), prefixed with the tool's name and the error code. */
export function oneLine(e: unknown): string {
  return line(isMlPredictError(e) ? e.code : 'INTERNAL', e instanceof Error ? e.message : String(e));
}

/** `ml-predict: CODE: message` on one line. */
export function line(code: string, message: string): string {
  return `ml-predict: ${code}: ${message.replace(/\s*[\r\n]+\s*/g, ' ').trim()}`;
}
