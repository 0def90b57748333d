/** Parsing `--gui HOST:PORT` and deciding whether a bind address is reachable only from this machine. */
import { isIP } from 'node:net';
import { FerryError } from '../../engine/errors';

/** Where the web GUI listens. */
export interface GuiAddress {
  host: string;
  port: number;
}

/** `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080` or just `8080` (loopback). Port 0 picks a free one. */
export function parseGuiAddress(text: string): GuiAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text) ?? /^()()(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  const host = m ? m[1] || m[2] || '127.0.0.1' : '';
  if (!m || !Number.isInteger(port) || port > 65535) {
    throw new FerryError('CONFIG_INVALID', `--gui expects HOST:PORT (for example 127.0.0.1:8384), got ${JSON.stringify(text)}`);
  }
  return { host, port };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}

/** `host:port` as it appears in a URL and a Host header (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** The warning printed at start when the GUI listens where other machines can reach it, else null. */
export function remoteGuiWarning(host: string, port: number): string | null {
  if (isLoopbackHost(host)) return null;
  return (
    `WARNING: the web GUI on ${hostPort(host, port)} is plain HTTP that other machines can reach: its password, ` +
    'one-time login link and session cookie cross the network in clear, readable by anyone on the path. ' +
    `Prefer --gui 127.0.0.1:${port} with an SSH tunnel (ssh -L ${port}:127.0.0.1:${port} THIS-HOST) or a TLS reverse proxy.`
  );
}

/** FerryError CONFIG_INVALID unless `host` is loopback or remote access was asked for explicitly. */
export function assertGuiHostAllowed(host: string, allowRemote: boolean): void {
  if (isLoopbackHost(host) || allowRemote) return;
  throw new FerryError(
    'CONFIG_INVALID',
    `Refusing to serve the web GUI on ${host}: other machines could reach it. Use 127.0.0.1, or add --gui-allow-remote`,
  );
}
