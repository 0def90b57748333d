/** Public surface of the server module (see docs/internal-apis.md). */
export { FerryServer, type ServerOptions, type ServerEvents } from './ferry-server';
export { TokenStore, TOKENS_FILE } from './token-store';
export { VERSIONS_REL, type KeptVersion } from './versions-store';
