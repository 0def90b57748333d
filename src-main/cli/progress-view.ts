/** Terminal progress bar for long syncs (files, bytes, rate, ETA); silent when stdout is not a TTY. */
import cliProgress from 'cli-progress';
import type { PairState, TransferRecord } from '../../src-shared/model';
import { formatBytes } from './output';

/** Drives one progress bar from session events. */
export class ProgressView {
  private bar: cliProgress.SingleBar | null = null;
  private doneBytes = 0;
  private doneFiles = 0;
  private readonly started = Date.now();

  constructor(private readonly enabled: boolean) {}

  /** Update totals from the session state: the bar appears once there is real work pending. */
  onState(s: PairState): void {
    if (!this.enabled) return;
    const total = this.doneBytes + s.bytesPending;
    if (!this.bar && s.bytesPending > 4 * 1024 * 1024) {
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
