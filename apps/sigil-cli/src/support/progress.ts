import { SingleBar } from 'cli-progress';

export interface Progress {
  increment(by?: number): void;
  stop(): void;
}

/**
 * A progress bar on a terminal (stderr, so stdout stays machine-readable); elsewhere (CI, pipes, log
 * collectors) a plain line every 10 %, which reads well in a log file.
 */
export function startProgress(label: string, total: number): Progress {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
    });
    bar.start(total, 0);
    return { increment: (by = 1) => bar.increment(by), stop: () => bar.stop() };
  }
  let done = 0;
  let reported = 0;
  return {
    increment: (by = 1) => {
      done += by;
      const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
      if (percent >= reported + 10 || done === total) {
        reported = percent - (percent % 10);
        process.stderr.write(`${label}: ${done}/${total} (${percent}%)\n`);
      }
    },
    stop: () => undefined,
  };
}
