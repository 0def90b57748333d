/** The engine's single copy of the settings document; every change is saved through the shell's port. */
import type { Settings } from '../../../src-shared/settings';
import type { SettingsPort } from './ports';

/** Read and change the settings; `update` saves before it returns. */
export class SettingsAccess {
  constructor(
    private current: Settings,
    private readonly port: SettingsPort,
  ) {}

  /** The current document (treat as read-only). */
  get(): Settings {
    return this.current;
  }

  /** Replace the document with `fn(current)` and save it; a failed save leaves the old document in place. */
  update(fn: (s: Settings) => Settings): Settings {
    const next = fn(this.current);
    this.port.save(next);
    this.current = next;
    return next;
  }
}
