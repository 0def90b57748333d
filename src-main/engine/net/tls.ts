/**
 * TLS 1.3 listener and dialer. The client trusts no CA: it pins the server certificate's SHA-256
 * fingerprint and checks it before the connection is handed out, so nothing is sent to an impostor.
 */
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { FerryError } from '../errors';
import { Connection, type ConnectionOptions } from './connection';
import { normalizeFingerprint, type TlsIdentity } from './identity';

/** Default time allowed for TCP connect + TLS handshake. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Options of createTlsServer; only identity and onConnection are required. */
export interface TlsServerOptions {
  identity: TlsIdentity;
  onConnection: (c: Connection) => void;
  /** Failed handshakes (plaintext clients, scanners, timeouts), with the peer's address; they never affect other connections. */
  onError?: (e: Error, remoteAddress: string | undefined) => void;
  /** Drop a client that has not completed the handshake within this long. Default 10 s. */
  handshakeTimeoutMs?: number;
  connection?: ConnectionOptions;
}

/** A TLS 1.3-only server that wraps each secured socket in a server-side Connection. Call listen() on it. */
export function createTlsServer(opts: TlsServerOptions): tls.Server {
  const server = tls.createServer(
    {
      key: opts.identity.key,
      cert: opts.identity.cert,
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000,
    },
    (socket) => {
      socket.setNoDelay(true);
      opts.onConnection(new Connection(socket, 'server', opts.connection));
    },
  );
  server.on('tlsClientError', (err, socket) => {
    const remote = socket.remoteAddress;
    socket.destroy();
    opts.onError?.(err, remote);
  });
  return server;
}

/** Options of connectTls. */
export interface ConnectTlsOptions {
  host: string;
  port: number;
  /** Expected SHA-256 fingerprint of the server certificate (hex, colons optional). */
  fingerprint: string;
  timeoutMs?: number;
  connection?: ConnectionOptions;
}

/** Dial a Ferry server over TLS 1.3 and check its certificate pin; FINGERPRINT_MISMATCH / CONNECT_FAILED / TLS_ERROR / TIMEOUT / CONFIG_INVALID. */
export async function connectTls(opts: ConnectTlsOptions): Promise<Connection> {
  const pin = normalizeFingerprint(opts.fingerprint);
  const where = isIP(opts.host) === 6 ? `[${opts.host}]:${opts.port}` : `${opts.host}:${opts.port}`;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
    throw new FerryError('CONFIG_INVALID', `${opts.port} is not a valid port (1–65535)`);
  }
  return new Promise<Connection>((resolve, reject) => {
    const socket = tls.connect({
      host: opts.host,
      port: opts.port,
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      // No CA trust for a self-signed certificate: the pin below is the check.
      rejectUnauthorized: false,
      ...(isIP(opts.host) === 0 ? { servername: opts.host } : {}),
    });
    let settled = false;
    const fail = (err: FerryError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new FerryError('TIMEOUT', `No TLS connection to ${where} within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const onError = (err: Error): void => fail(classifyConnectError(err, where));
    const onEarlyClose = (): void => fail(new FerryError('TLS_ERROR', `${where} closed the connection during the TLS handshake`));
    socket.on('error', onError);
    socket.once('close', onEarlyClose);
    socket.once('secureConnect', () => {
      if (settled) return;
      const cert = socket.getPeerX509Certificate();
      const got = cert === undefined ? null : normalizeFingerprint(cert.fingerprint256);
      if (got !== pin) {
        fail(
          new FerryError(
            'FINGERPRINT_MISMATCH',
            `The server at ${where} presented certificate ${got ?? '(none)'} but ${pin} was expected; nothing was sent`,
          ),
        );
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.setNoDelay(true);
      const conn = new Connection(socket, 'client', opts.connection);
      // The connection has its own listeners now; ours would turn later errors into a second rejection.
      socket.off('error', onError);
      socket.off('close', onEarlyClose);
      resolve(conn);
    });
  });
}

function classifyConnectError(err: Error, where: string): FerryError {
  const e = err as NodeJS.ErrnoException & { library?: string };
  const code = e.code ?? '';
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || e.library !== undefined) {
    return new FerryError('TLS_ERROR', `TLS handshake with ${where} failed: ${err.message}`, { cause: err });
  }
  return new FerryError('CONNECT_FAILED', `Cannot connect to ${where}: ${err.message}`, { cause: err });
}
