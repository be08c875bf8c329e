import { BgmatteError } from "../errors.js";

/** A numeric flag's value, or undefined when absent; anything else is a usage error naming the flag. */
export function numberFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new BgmatteError(
      "INVALID_OPTION",
      `Expected a number for option --${flag} but received "${value}"`,
      "see --help",
    );
  }
  return n;
}
