/**
 * Progress on stderr. On a terminal: a bar redrawn in place, drawn at 0/N before the first item ends, and cleared
 * before any message so that warnings never land on the bar's line. Elsewhere (logs, CI): plain lines, one per tenth
 * of the work and the last, with no bar characters. The rate is always items per second; for a clip, `fps` adds the
 * speed against real time, as ffmpeg's `speed=` does.
 */
export interface Progress {
  /** One more item is done; `label` names it. */
  tick(label: string): void;
  /** `count` items are done in all (work counted elsewhere, e.g. by a queue's workers). */
  advanceTo(count: number, label: string): void;
  /** Print a message (a warning, an error) without breaking the bar. */
  log(message: string): void;
  /** Items per second so far (what the final summary should quote). */
  rate(): number;
  done(): void;
}

export interface ProgressOptions {
  /** What is counted: "photos", "frames", "items". */
  unit?: string;
  /** The clip's frame rate: the speed is then also given against real time. */
  fps?: number;
  stream?: NodeJS.WriteStream;
}

const BAR_WIDTH = 24;

export function createProgress(total: number, enabled: boolean, options: ProgressOptions = {}): Progress {
  const { unit = "items", fps, stream = process.stderr } = options;
  const started = Date.now();
  const tty = stream.isTTY === true;
  let count = 0;
  let label = "";
  let lastTenth = 0;
  const seconds = () => Math.max((Date.now() - started) / 1000, 1e-3);
  const rate = () => count / seconds();

  const status = () => {
    // A clip of variable frame rate can deliver more frames than its duration promised: the total grows with them.
    const all = Math.max(total, count);
    const r = rate();
    const speed = `${r.toFixed(r < 10 ? 2 : 1)} ${unit}/s` + (fps ? ` (speed ${(r / fps).toFixed(2)}x)` : "");
    const left = count > 0 && count < all ? `, ~${Math.round((all - count) / r)}s left` : "";
    return `${count}/${all}${label ? ` ${label}` : ""}  ${seconds().toFixed(1)}s elapsed, ${speed}${left}`;
  };
  const bar = () => {
    const filled = Math.min(BAR_WIDTH, Math.round((count / Math.max(total, count, 1)) * BAR_WIDTH));
    return "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
  };
  const draw = () => stream.write(`\r\x1b[2K${bar()} ${status()}`);

  if (enabled && tty) draw();
  const advanceTo = (n: number, name: string) => {
    count = n;
    label = name;
    if (!enabled) return;
    if (tty) return draw();
    const tenth = Math.floor((10 * count) / Math.max(total, 1)); // past an overrun: still one per tenth
    if (tenth > lastTenth || count === total) stream.write(`${status()}\n`);
    lastTenth = tenth;
  };
  return {
    tick: (name) => advanceTo(count + 1, name),
    advanceTo,
    log(message) {
      if (!tty) return void stream.write(message.endsWith("\n") ? message : `${message}\n`);
      stream.write(`\r\x1b[2K${message.endsWith("\n") ? message : `${message}\n`}`);
      if (enabled) draw();
    },
    rate,
    done() {
      if (enabled && tty) stream.write("\n");
    },
  };
}
