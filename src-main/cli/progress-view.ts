/** Terminal progress bar for long syncs (files, bytes, rate, ETA); silent when stdout is not a TTY. */
import type * as CliProgressModule from 'cli-progress';
import type { SingleBar } from 'cli-progress';
import type { PairState, TransferRecord } from '../../src-shared/model';
import { formatBytes } from './output';

type CliProgress = typeof CliProgressModule;

/** Drives one progress bar from session events. */
export class ProgressView {
  private bar: SingleBar | null = null;
  private cliProgress: CliProgress | null = null;
  private doneBytes = 0;
  private doneFiles = 0;
  private readonly started = Date.now();

  constructor(private readonly enabled: boolean) {
    // Loaded only when a bar can be shown (a TTY, no --json), and without delaying the sync: the bar needs
    // 4 MiB pending, which a scan takes longer to find than this import takes. CommonJS: the bundle gives
    // its exports as `default` only.
    if (enabled) {
      void import('cli-progress').then(
        (m: CliProgress & { default?: CliProgress }) => (this.cliProgress = m.default ?? m),
        () => {}, // no bar then; the sync itself is unaffected
      );
    }
  }

  /** Update totals from the session state: the bar appears once there is real work pending. */
  onState(s: PairState): void {
    if (!this.enabled) return;
    const total = this.doneBytes + s.bytesPending;
    const cliProgress = this.cliProgress;
    if (!this.bar && cliProgress && s.bytesPending > 4 * 1024 * 1024) {
      this.bar = new cliProgress.SingleBar(
        {
          format: ' {bar} {percentage}% | {files} files | {done}/{total} | {rate}/s | ETA {eta_formatted}',
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, this.doneBytes, this.payload());
    }
    this.bar?.setTotal(Math.max(total, 1));
    this.bar?.update(this.doneBytes, this.payload());
  }

  /** Count finished transfers. */
  onTransfer(t: TransferRecord): void {
    if (t.status !== 'completed') return;
    this.doneBytes += t.size;
    this.doneFiles += 1;
    this.bar?.update(this.doneBytes, this.payload());
  }

  /** Remove the bar before printing a summary. */
  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }

  private payload(): Record<string, string | number> {
    const secs = Math.max((Date.now() - this.started) / 1000, 0.001);
    return {
      files: this.doneFiles,
      done: formatBytes(this.doneBytes),
      total: formatBytes(this.bar?.getTotal() ?? 0),
      rate: formatBytes(Math.round(this.doneBytes / secs)),
    };
  }
}
