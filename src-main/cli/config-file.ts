/** Config files for `ferry serve` and `ferry sync`: JSON, validated with clear messages; flags override them. */
import { readFileSync } from 'node:fs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { FerryError } from '../engine/errors';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

/** Keys accepted in a `ferry serve` config file. */
export const ServeConfig = Type.Object(
  {
    root: Type.Optional(Type.String({ minLength: 1 })),
    host: Type.Optional(Type.String({ minLength: 1 })),
    port: Type.Optional(Port),
    state: Type.Optional(Type.String({ minLength: 1 })),
    shares: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }), Type.String({ minLength: 1 }))),
    keepVersionsDays: Type.Optional(Type.Integer({ minimum: 0 })),
    durability: Type.Optional(Type.Union([Type.Literal('fsync'), Type.Literal('none')])),
    logLevel: Type.Optional(Type.Union([Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug')])),
    /** Server limits (docs/security.md "Limits"); each key as in ServerLimits, e.g. { "helloTimeoutMs": 5000 }. */
    limits: Type.Optional(
      Type.Object(
        Object.fromEntries(
          ['helloTimeoutMs', 'maxUnauthenticated', 'maxUnauthenticatedPerAddress', 'authDelayBaseMs', 'authDelayMaxMs', 'authFailureForgetMs', 'authLogIntervalMs', 'maxQueuedWriteBytes'].map(
            (k) => [k, Type.Optional(Type.Integer({ minimum: 1 }))],
          ),
        ),
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ServeConfig = Static<typeof ServeConfig>;

/** Keys accepted in a `ferry sync` config file. */
export const SyncConfig = Type.Object(
  {
    dir: Type.Optional(Type.String({ minLength: 1 })),
    server: Type.Optional(Type.String({ minLength: 1 })),
    share: Type.Optional(Type.String({ minLength: 1 })),
    fingerprint: Type.Optional(Type.String({ minLength: 1 })),
    token: Type.Optional(Type.String({ minLength: 1 })),
    ignore: Type.Optional(Type.Array(Type.String())),
    rescanSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
    allowEmpty: Type.Optional(Type.Boolean()),
    /** Sync mode, as `--mode` (default two-way). */
    mode: Type.Optional(Type.Union([Type.Literal('two-way'), Type.Literal('mirror'), Type.Literal('receive')])),
    /** mirror only, as `--allow-foreign-changes`. */
    allowForeignChanges: Type.Optional(Type.Boolean()),
    state: Type.Optional(Type.String({ minLength: 1 })),
    logLevel: Type.Optional(Type.Union([Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug')])),
    /** This device's name, as `--device-name` (other devices see it; conflict copies made here carry it). */
    deviceName: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    /** Upload bandwidth limit: bytes per second, or a string like "500K", "10M" (as `--bwlimit`). */
    bwlimit: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1 })])),
  },
  { additionalProperties: false },
);
export type SyncConfig = Static<typeof SyncConfig>;

/** Read and validate a JSON config file; every problem is reported with the file, the key and why. */
export function loadConfigFile<S extends TSchema>(file: string, schema: S): Static<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FerryError('CONFIG_INVALID', `Cannot read config file ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FerryError('CONFIG_INVALID', `Config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const check = TypeCompiler.Compile(schema);
  if (!check.Check(data)) {
    const problems = [...check.Errors(data)].slice(0, 5).map((e) => {
      const key = e.path === '' ? '(top level)' : e.path.slice(1).replace(/\//g, '.');
      return `${key}: ${e.message}`;
    });
    throw new FerryError('CONFIG_INVALID', `Config file ${file} is invalid — ${problems.join('; ')}`);
  }
  return data as Static<S>;
}

/** Parse "host:port", "[v6]:port"; a clear error otherwise. */
export function parseHostPort(value: string, what = 'address'): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:\s]+):(\d+)$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new FerryError('CONFIG_INVALID', `Invalid ${what} "${value}": expected HOST:PORT, e.g. nas.local:7443 or [::1]:7443`);
  }
  return { host: m[1] as string, port };
}
