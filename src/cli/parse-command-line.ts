/**
 * `parseArgs` for a sub-command, with the mistakes people make answered in one sentence: an unknown flag gets
 * "did you mean" (the nearest flag by edit distance), a missing value names the flag.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { closest, distance } from "fastest-levenshtein";
import { BgmatteError } from "../errors.js";

/** The nearest of `candidates` to `word`, when it is near enough to be a typo. */
export function suggestion(word: string, candidates: string[]): string | undefined {
  if (!candidates.length) return undefined;
  const best = closest(word, candidates);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function parseCommandLine<T extends ParseArgsConfig>(
  command: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const flag = /Unknown option '([^']+)'/.exec((e as Error).message)?.[1] ?? "";
      const flags = Object.entries(config.options ?? {}).flatMap(([name, o]) => [
        `--${name}`,
        ...(o.short ? [`-${o.short}`] : []),
      ]);
      const near = suggestion(flag, flags);
      throw new BgmatteError(
        "INVALID_OPTION",
        `unknown option ${flag}` + (near ? ` (did you mean ${near}?)` : ""),
        `see bgmatte ${command} --help`,
      );
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" || code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL")
      throw new BgmatteError("INVALID_OPTION", (e as Error).message, `see bgmatte ${command} --help`);
    throw e;
  }
}
