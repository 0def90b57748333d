/** settings:update with a log level reaches loggers made before the change (sessions, server mode). */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { cleanupTempDirs } from '../helpers/trees';
import { startTestEngine } from './controller-fixture';

afterAll(cleanupTempDirs);

it('changes the level of the debug log and of its existing children', async () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  const root = pino({ level: 'info' }, sink);
  const early = root.child({ pair: 'made before the change' });
  const fx = await startTestEngine((s) => s, 'desktop', root);
  try {
    early.debug('before');
    const ui = await fx.engine.handle('settings:update', [{ logLevel: 'debug' }]);
    expect(ui.logLevel).toBe('debug');
    expect(fx.current().ui.logLevel).toBe('debug');
    early.debug('after');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('after');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).not.toContain('before');
  } finally {
    await fx.engine.stop();
  }
});
