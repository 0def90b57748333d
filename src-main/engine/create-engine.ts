/**
 * Composition root: one controller that the Electron IPC handlers and the daemon's web GUI both wrap.
 * It owns the folder pairs' sessions, server mode, conflicts and the transfer log, and emits typed events.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { AppState, CommandArgs, CommandName, EventName, Events } from '../../src-shared/ipc';
import type { Settings } from '../../src-shared/settings';
import { checkCommandArgs } from './controller/command-args';
import { Coalescer } from './controller/coalescer';
import { ConflictBook, versionsAreaPath } from './controller/conflict-book';
import { listDirs } from './controller/dir-listing';
import { downloadFile, testConnection } from './controller/engine-deps';
import { resolveInside } from './controller/local-path';
import { PairManager } from './controller/pair-manager';
import type { Engine, EnginePorts } from './controller/ports';
import { ServerMode } from './controller/server-mode';
import { SettingsAccess } from './controller/settings-access';
import { buildAppState } from './controller/state-snapshot';
import { TransferLog } from './controller/transfer-log';
import { listPairVersions, restorePairVersion } from './controller/versions-access';
import { FerryError } from './errors';

export type { Engine, EnginePorts, SettingsPort } from './controller/ports';

/** Most `stateChanged` events per second. */
const STATE_EVENTS_PER_SECOND = 10;

/** Build the engine around `settings` (already loaded and migrated by the shell). Nothing runs before `start()`. */
export function createEngine(ports: EnginePorts, settings: Settings): Engine {
  // Untyped inside; `emit` and `on` below are the typed doors.
  const events = new EventEmitter();
  const access = new SettingsAccess(settings, ports.settings);
  const state = (): AppState =>
    buildAppState({
      pairs: pairs.list(),
      pairStates: pairs.states(),
      conflicts: conflicts.list(),
      server: server.state(),
      ui: access.get().ui,
      shell: ports.shell,
      logDir: ports.logDir,
    });
  // A throwing listener (a shell's transport) must not take the engine down: these run from timers.
  const emit = <E extends EventName>(event: E, payload: Events[E]) => {
    try {
      events.emit(event, payload);
    } catch (err) {
      ports.log.debug.error({ err, event }, 'event listener failed');
    }
  };
  const stateEvents = new Coalescer(() => emit('stateChanged', state()), 1000 / STATE_EVENTS_PER_SECOND);
  const changed = () => stateEvents.mark();
  const transfers = new TransferLog((batch) => emit('transfersUpdated', batch));
  const conflicts = new ConflictBook(
    (pair, area, remote, local, within) => downloadFile(pair, area, remote, local, ports.clientId, within),
    changed,
    join(ports.stateDir, 'conflicts.json'),
    (err) => ports.log.debug.warn({ err }, 'could not save the conflict list'),
  );
  const pairs = new PairManager({
    settings: access,
    stateDir: ports.stateDir,
    clientId: ports.clientId,
    clientName: ports.clientName,
    log: ports.log.debug,
    transferLog: ports.log.transfer,
    onStateChanged: changed,
    onTransfer: (r) => transfers.update(r),
    onConflict: (c) => conflicts.add(c),
    onConflictCopyGone: (pairId, copyPath) => conflicts.copyGone(pairId, copyPath),
  });
  const server = new ServerMode({
    settings: access,
    stateDir: join(ports.stateDir, 'server'),
    log: ports.log.debug.child({ part: 'server' }),
    transferLog: ports.log.transfer,
    onStateChanged: changed,
  });
  let started = false;
  let stopped: Promise<void> | null = null;

  // Each case narrows `args` to its command's tuple; the switch must cover every command.
  async function run(command: CommandName, args: unknown[]): Promise<unknown> {
    switch (command) {
      case 'state:get':
        return state();
      case 'transfers:recent':
        return transfers.recent(...(args as CommandArgs<'transfers:recent'>));
      case 'pair:add':
        return pairs.add(...(args as CommandArgs<'pair:add'>));
      case 'pair:update':
        return pairs.update(...(args as CommandArgs<'pair:update'>));
      case 'pair:remove': {
        const [id] = args as CommandArgs<'pair:remove'>;
        await pairs.remove(id);
        conflicts.dropPair(id);
        transfers.dropPair(id);
        return undefined;
      }
      case 'pair:pause':
        return pairs.setPaused([(args as CommandArgs<'pair:pause'>)[0]], true);
      case 'pair:resume':
        return pairs.setPaused([(args as CommandArgs<'pair:resume'>)[0]], false);
      case 'pair:test':
        return testConnection((args as CommandArgs<'pair:test'>)[0], ports.clientId);
      case 'pair:openFolder':
        return ports.openPath(pairs.get((args as CommandArgs<'pair:openFolder'>)[0]).localPath);
      case 'sync:pauseAll':
        return pairs.setPaused(null, true);
      case 'sync:resumeAll':
        return pairs.setPaused(null, false);
      case 'conflict:resolve': {
        const [id, choice] = args as CommandArgs<'conflict:resolve'>;
        return conflicts.resolve(id, choice, pairs.get(conflicts.get(id).pairId));
      }
      case 'conflict:open': {
        const [id, side] = args as CommandArgs<'conflict:open'>;
        const record = conflicts.get(id);
        const pair = pairs.get(record.pairId);
        // Two-way: both versions are files of the folder (the path and its conflict copy).
        if (record.copy) return ports.openPath(resolveInside(pair.localPath, (side === 'local') === record.copy.mine ? record.copy.path : record.path));
        if (side === 'local') return ports.openPath(resolveInside(pair.localPath, record.path));
        // The server's version is fetched into our state folder first: it is not a file of the synced folder.
        const copy = resolveInside(join(ports.stateDir, 'conflicts', id.replace(/[^A-Za-z0-9_-]/g, '_')), record.path.split('/').pop()!);
        await downloadFile(pair, 'versions', versionsAreaPath(record.server.keptAs), copy, ports.clientId);
        return ports.openPath(copy);
      }
      case 'versions:list': {
        const [pairId, path] = args as CommandArgs<'versions:list'>;
        return listPairVersions(pairs.get(pairId), { clientId: ports.clientId, clientName: ports.clientName }, path);
      }
      case 'versions:restore': {
        const [pairId, version, where] = args as CommandArgs<'versions:restore'>;
        const settled = pairs.states()[pairId]?.status === 'watching';
        return restorePairVersion(pairs.get(pairId), { clientId: ports.clientId, clientName: ports.clientName }, version, where, settled);
      }
      case 'server:setEnabled':
        return server.setEnabled(...(args as CommandArgs<'server:setEnabled'>));
      case 'server:configure':
        return server.configure(...(args as CommandArgs<'server:configure'>));
      case 'server:addToken':
        return server.addToken(...(args as CommandArgs<'server:addToken'>));
      case 'server:takeInitialInvite':
        return server.takeInitialInvite();
      case 'server:revokeToken':
        return server.revokeToken(...(args as CommandArgs<'server:revokeToken'>));
      case 'settings:update': {
        const [patch] = args as CommandArgs<'settings:update'>;
        const next = access.update((s) => ({ ...s, ui: { ...s.ui, ...patch } }));
        // pino children read the level through their prototype: setting the root reaches sessions' loggers too.
        if (patch.logLevel) ports.log.debug.level = patch.logLevel;
        changed();
        return next.ui;
      }
      case 'dialog:pickFolder':
        return ports.pickFolder(...(args as CommandArgs<'dialog:pickFolder'>));
      case 'fs:listDirs':
        return listDirs(...(args as CommandArgs<'fs:listDirs'>));
      case 'logs:openFolder':
        return ports.openPath(ports.logDir);
      default: {
        const unhandled: never = command;
        throw new FerryError('BAD_FRAME', `Unknown command ${String(unhandled)}`);
      }
    }
  }

  const engine: Engine = {
    async start() {
      if (started) return;
      started = true;
      await conflicts.load(pairs.list().map((p) => p.id));
      await server.init();
      pairs.startAll();
      changed();
    },
    stop() {
      stopped ??= (async () => {
        await pairs.stopAll();
        await server.shutdown();
        transfers.close();
        await conflicts.flush();
        stateEvents.cancel();
      })();
      return stopped;
    },
    handle: (async (command: string, args: unknown[]) => {
      if (stopped) throw new FerryError('INTERNAL', 'Ferry is shutting down');
      const checked = checkCommandArgs(command, args);
      return run(command as CommandName, checked);
    }) as Engine['handle'],
    on(event, listener) {
      events.on(event, listener);
      return () => events.off(event, listener);
    },
    state,
  };
  return engine;
}
