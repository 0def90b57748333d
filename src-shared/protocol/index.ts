/** Public surface of the wire protocol. */
export * from './limits';
export * from './error-codes';
export * from './messages';
export * from './paths';
