/** `--only`, shared by `image` and `video`: which of a command's outputs to write, and the one a single file holds. */
import { BgmatteError } from "../errors.js";

/** `--only alpha,fg` → the kinds, each one of `allowed`; undefined when the flag is absent. */
export function parseOnly<K extends string>(
  text: string | undefined,
  allowed: readonly K[],
): K[] | undefined {
  if (text === undefined) return undefined;
  const kinds = text.split(",").map((k) => k.trim());
  if (kinds.some((k) => !(allowed as readonly string[]).includes(k)))
    throw new BgmatteError(
      "INVALID_OPTION",
      `Expected a comma-separated list of ${allowed.join(", ")} for option --only but received "${text}"`,
      `e.g. --only ${allowed[1] ?? allowed[0]}`,
    );
  return kinds as K[];
}

/** The one kind `-o <file>` holds: the only one `--only` names, else `fallback`. */
export function singleKind<K extends string>(only: K[] | undefined, out: string, fallback: K): K {
  if (only && only.length > 1)
    throw new BgmatteError(
      "INVALID_OPTION",
      `-o ${out} names one file, but --only lists ${only.length} outputs`,
      "give one kind with --only, or a folder with -o",
    );
  return only?.[0] ?? fallback;
}
