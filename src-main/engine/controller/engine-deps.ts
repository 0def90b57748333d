/** The one place the controller reaches into the client and server modules (their seams: docs/internal-apis.md). */
export { createPairSession, type PairSession } from '../client/pair-session';
export { testConnection } from '../client/test-connection';
export { downloadFile } from '../client/download-file';
export { FerryServer } from '../server/ferry-server';
export { TokenStore, TOKENS_FILE } from '../server/token-store';
