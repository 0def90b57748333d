/** React glue: one provider holding the bridge, the latest AppState and the activity store. */
import { createContext, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { AppState, FerryApi } from '../../../src-shared/ipc/contract';
import type { Bridge } from '../bridge';
import type { ConnectionInfo } from '../transport/connection';
import { toErrorInfo } from '../lib/errors';
import { ActivityStore } from './activity-store';

/** How many recent transfers to ask for on (re)connect. */
const RECENT_LIMIT = 5_000;

interface FerryContextValue {
  api: FerryApi;
  bridge: Bridge;
  state: AppState | null;
  activity: ActivityStore;
  loadError: string | null;
}

const FerryContext = createContext<FerryContextValue | null>(null);

/** Subscribes to the engine host and keeps state fresh across reconnects. */
export function FerryProvider({ bridge, children }: { bridge: Bridge; children: ReactNode }): ReactNode {
  const [state, setState] = useState<AppState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const activity = useMemo(() => new ActivityStore(), []);
  const connection = useSyncExternalStore(bridge.connection.subscribe, bridge.connection.get);
  const { api } = bridge;

  useEffect(() => {
    const offState = api.on('stateChanged', setState);
    const offTransfers = api.on('transfersUpdated', (batch) => activity.upsert(batch));
    return () => {
      offState();
      offTransfers();
    };
  }, [api, activity]);

  // Refetch on every (re)open: events sent while we were away are lost.
  useEffect(() => {
    if (connection.phase !== 'open') return;
    let cancelled = false;
    const fail = (e: unknown): void => {
      if (!cancelled) setLoadError(toErrorInfo(e).message);
    };
    // Applied one by one as they arrive: a reply is newer than every event received before it (one
    // ordered channel), but events received after it must not be overwritten by waiting for the other.
    api.invoke('state:get').then((s) => {
      if (cancelled) return;
      setState(s);
      setLoadError(null);
    }, fail);
    api.invoke('transfers:recent', RECENT_LIMIT).then((recent) => {
      if (!cancelled) activity.reset(recent);
    }, fail);
    return () => {
      cancelled = true;
    };
  }, [api, activity, connection.generation, connection.phase]);

  const value = useMemo(() => ({ api, bridge, state, activity, loadError }), [api, bridge, state, activity, loadError]);
  return <FerryContext.Provider value={value}>{children}</FerryContext.Provider>;
}

function useCtx(): FerryContextValue {
  const ctx = useContext(FerryContext);
  if (!ctx) throw new Error('FerryProvider missing');
  return ctx;
}

/** The bridge: its `web` part (login, logout) exists only in the web shell. */
export function useBridge(): Bridge {
  return useCtx().bridge;
}

/** The FerryApi, for issuing commands. */
export function useApi(): FerryApi {
  return useCtx().api;
}

/** The latest AppState, or null before the first snapshot. */
export function useAppState(): AppState | null {
  return useCtx().state;
}

/** A failure of the initial load, if any. */
export function useLoadError(): string | null {
  return useCtx().loadError;
}

/** Connection phase of the transport, for the banner. */
export function useConnection(): ConnectionInfo {
  const { bridge } = useCtx();
  return useSyncExternalStore(bridge.connection.subscribe, bridge.connection.get);
}

/** The activity store plus a version that changes with it (so callers re-render and re-query). */
export function useActivity(): { store: ActivityStore; version: number } {
  const store = useCtx().activity;
  const version = useSyncExternalStore(store.subscribe, store.getVersion);
  return { store, version };
}

/** Current time, refreshed every `ms` so "5 min ago" labels stay true. */
export function useNow(ms = 5_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
