/** What `ferry daemon` does once its flags are parsed; loaded on demand by daemon-command. */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../engine/create-engine';
import { openConfSettings } from '../engine/controller/conf-settings';
import { defaultStateDir, loadOrCreateClientId } from '../engine/controller/paths';
import { createLoggers, type Loggers } from '../engine/log';
import { installUnhandledGuard } from '../engine/unhandled-guard';
import { DEFAULT_GUI_ADDRESS, type Daemon, type DaemonFlags } from './daemon-command';
import type { Output } from './output';
import { assertGuiHostAllowed, parseGuiAddress, remoteGuiWarning, startWebGui, type WebGui } from './web-gui';

/** Load settings, start the engine and (with --gui) the web GUI; prints `guiListening`. */
export async function startDaemon(flags: DaemonFlags, out: Output): Promise<Daemon> {
  // Flag mistakes are reported before anything starts syncing.
  const guiAddress = flags.gui === undefined ? null : parseGuiAddress(flags.gui === true ? DEFAULT_GUI_ADDRESS : flags.gui);
  if (guiAddress) assertGuiHostAllowed(guiAddress.host, Boolean(flags.guiAllowRemote));
  const settingsPort = openConfSettings(flags.config);
  const settings = settingsPort.load();
  const stateDir = resolve(flags.state ?? defaultStateDir());
  const logDir = join(stateDir, 'logs');
  const loggers: Loggers = createLoggers(logDir, settings.ui.logLevel);
  const log = loggers.debug;
  // A rejection that escaped every handler is a bug: logged and counted, it must not end the daemon's syncs.
  installUnhandledGuard(log);
  const engine = createEngine(
    {
      settings: settingsPort,
      stateDir,
      logDir,
      shell: 'web',
      // Headless: there is no desktop to open things on; the web UI hides these actions for shell 'web'.
      openPath: async (path) => void log.info({ path }, 'open requested on a headless machine; ignored'),
      pickFolder: async () => null,
      log: loggers,
      clientId: loadOrCreateClientId(stateDir),
      clientName: hostname(),
    },
    settings,
  );
  let gui: WebGui | null = null;
  try {
    await engine.start();
    if (guiAddress) {
      gui = await startWebGui(engine, { ...guiAddress, stateDir, staticDir: flags.guiDir ?? builtUiDir(), allowRemote: Boolean(flags.guiAllowRemote), log });
      const passwordSet = await gui.passwordSet();
      const warning = remoteGuiWarning(guiAddress.host, Number(new URL(gui.url).port));
      if (warning) {
        // On stderr even with --json, and in the log: an operator must not miss it.
        process.stderr.write(`${warning}\n`);
        log.warn({ host: guiAddress.host }, warning);
      }
      out.event('guiListening', { url: gui.url, loginUrl: gui.loginUrl, passwordSet }, [
        `Ferry web GUI: ${gui.url}`,
        `  One-time login link (works once, for 15 minutes): ${gui.loginUrl}`,
        passwordSet ? null : `  No password yet: open the link to choose one, or run: ferry gui-password --state ${stateDir}`,
      ].filter((l) => l !== null).join('\n'));
    }
  } catch (err) {
    await engine.stop();
    await loggers.close();
    throw err;
  }
  const { server, pairs } = engine.state();
  if (server.running) {
    out.event('serverListening', { host: server.host, port: server.port, fingerprint: server.fingerprint },
      `Server mode: listening on ${server.host}:${server.port}, fingerprint ${server.fingerprint ?? '?'}`);
  } else if (server.enabled && server.lastError) {
    out.event('serverFailed', { error: server.lastError }, `Server mode could not start: ${server.lastError.code}: ${server.lastError.message}`);
  }
  out.event('started', { config: resolve(flags.config), stateDir, pairs: pairs.length },
    `Ferry daemon running: ${pairs.length} folder pair(s), settings ${resolve(flags.config)}, state ${stateDir}`);
  let stopping: Promise<void> | null = null;
  return {
    engine,
    gui,
    stop: () =>
      (stopping ??= (async () => {
        await gui?.close();
        await engine.stop();
        await loggers.close();
      })()),
  };
}

/** dist/renderer next to the bundled CLI (dist/cli/ferry.js), or under the repo when run from source. */
function builtUiDir(): string {
  const candidates = ['../renderer', '../../dist/renderer'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}
