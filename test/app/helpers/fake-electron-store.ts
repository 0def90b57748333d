/** electron-store is conf plus Electron's userData folder: the same, over the fake Electron's userData. */
import Conf from 'conf';
import { join } from 'node:path';
import { control } from './fake-electron';

/** Stand-in for electron-store's default export. */
export default class Store extends Conf<Record<string, unknown>> {
  constructor(opts: { name: string } & Record<string, unknown>) {
    super({ ...opts, cwd: join(control.userDataRoot, 'userData'), configName: opts.name });
  }
}
