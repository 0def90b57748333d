/** The one place the controller reaches into the client and server modules (their seams: docs/internal-apis.md). */
export { createPairSession, type PairSession } from '../client/pair-session';
export { testConnection } from '../client/test-connection';
export { downloadFile, downloadOver } from '../client/download-file';
export { connectAndHello, type ClientIdentity } from '../client/connect';
export { listVersionsOver, restoreVersionOver } from '../client/versions-client';
export { versionOriginal } from '../server/versions-store';
export { FerryServer } from '../server/ferry-server';
export { TokenStore, TOKENS_FILE } from '../server/token-store';
