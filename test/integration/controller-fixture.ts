/** A real engine for controller and web-GUI tests: temp state folder, settings held in memory. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, type Settings } from '../../src-shared/settings';
import { createEngine, type Engine } from '../../src-main/engine/create-engine';
import { silentLogger, type Logger } from '../../src-main/engine/log';
import { tempDir } from '../helpers/trees';

/** An engine plus what it saved and opened. */
export interface EngineFixture {
  engine: Engine;
  stateDir: string;
  saved: Settings[];
  opened: string[];
  current(): Settings;
}

/** A started engine over `settings` (defaults with server mode off, its root in a temp folder). */
export async function startTestEngine(
  patch: (s: Settings) => Settings = (s) => s,
  shell: 'desktop' | 'web' = 'desktop',
  debugLog: Logger = silentLogger,
): Promise<EngineFixture> {
  const stateDir = await tempDir('ferry-engine-state-');
  const serverRoot = await tempDir('ferry-engine-share-');
  const base = defaultSettings(homedir());
  const initial = patch({ ...base, server: { ...base.server, root: serverRoot, host: '127.0.0.1', port: 0 } });
  const saved: Settings[] = [];
  const opened: string[] = [];
  let current = initial;
  const engine = createEngine(
    {
      settings: {
        load: () => current,
        save: (s) => {
          current = s;
          saved.push(s);
        },
      },
      stateDir,
      logDir: join(stateDir, 'logs'),
      shell,
      openPath: async (p) => void opened.push(p),
      pickFolder: async () => null,
      log: { debug: debugLog, transfer: silentLogger },
      clientId: `test-client-${Math.random().toString(36).slice(2)}`,
      clientName: 'controller test',
    },
    initial,
  );
  await engine.start();
  return { engine, stateDir, saved, opened, current: () => current };
}
