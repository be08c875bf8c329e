/** A progress line on stderr: redrawn in place on a terminal, one line per step otherwise (logs, CI). */
export interface Progress {
  tick(label: string): void;
  done(): void;
}

export function createProgress(
  total: number,
  enabled: boolean,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const started = Date.now();
  let count = 0;
  const tty = stream.isTTY === true;
  const render = (label: string) => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = count / Math.max(elapsed, 1e-3);
    // A clip of variable frame rate can deliver more frames than its duration promised: the total grows with them.
    const all = Math.max(total, count);
    const eta = count > 0 ? (all - count) / rate : 0;
    const width = 24;
    const filled = Math.min(width, Math.round((count / all) * width));
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const speed = rate >= 1 ? `${rate.toFixed(1)}/s` : `${(1 / Math.max(rate, 1e-9)).toFixed(1)} s each`;
    return `${bar} ${count}/${all} ${label}  ${elapsed.toFixed(1)}s elapsed, ${speed}${count < all ? `, ~${eta.toFixed(0)}s left` : ""}`;
  };
  return {
    tick(label) {
      if (!enabled) return;
      count++;
      if (tty) stream.write(`\r\x1b[2K${render(label)}`);
      else stream.write(`${render(label)}\n`);
    },
    done() {
      if (enabled && tty) stream.write("\n");
    },
  };
}
