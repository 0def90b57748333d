/** "Test connection" for the pair form: connect + hello, report latency or the error as data. */
import type { ConnectionTestResult } from '../../../src-shared/ipc/index';
import type { ConnectionTarget } from '../../../src-shared/model/index';
import { toFerryError } from '../errors';
import { connectAndHello } from './connect';

/** Try `target` once; never throws. */
export async function testConnection(target: ConnectionTarget, clientId = 'connection-test'): Promise<ConnectionTestResult> {
  try {
    const r = await connectAndHello(target, { clientId, clientName: 'Ferry connection test' }, { timeoutMs: 5_000 });
    r.conn.close();
    return { ok: true, serverName: r.serverName, share: r.share, latencyMs: r.latencyMs };
  } catch (err) {
    return { ok: false, error: toFerryError(err).toInfo() };
  }
}
