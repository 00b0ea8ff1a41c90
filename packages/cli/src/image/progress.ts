/**
 * @module image/progress
 * A progress bar for large images (cli-progress), shown only on an interactive terminal and
 * only for inputs of at least PROGRESS_MIN_BYTES, so scripts and pipes see clean output. The
 * library is imported only when a bar is actually shown.
 */
import type { CommandIo } from './io.js';

/** Inputs smaller than this finish too fast for a bar to help. */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/** A running bar: `advance(bytes)` moves it, `stop()` clears it. */
export interface Progress {
  advance(bytes: number): void;
  stop(): void;
}

const silent: Progress = { advance: () => undefined, stop: () => undefined };

/** A bar over `totalBytes` of work labelled `label`, or a silent one (not a TTY, small input). */
export async function startProgress(io: CommandIo, label: string, totalBytes: number): Promise<Progress> {
  if (!io.isTty || totalBytes < PROGRESS_MIN_BYTES) return silent;
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} MiB`, hideCursor: true, clearOnComplete: true, stream: io.progressStream ?? process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const mib = (n: number): number => Math.round((n / 1048576) * 10) / 10;
  let done = 0;
  bar.start(mib(totalBytes), 0);
  return {
    advance(bytes) {
      done += bytes;
      bar.update(mib(Math.min(done, totalBytes)));
    },
    stop() {
      bar.stop();
    },
  };
}
