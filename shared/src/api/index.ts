// The HTTP API's answers, one import away: a zod schema and its inferred type per reply.
// The server builds its replies typed by them; the scanner app parses what it receives
// with them (scanner-pwa/src/lib/api/http-api.ts). The socket's messages are in
// ../protocol/; the error body of both is ../protocol/errors.ts. docs/api.md names them.
export * from './session.ts';
export * from './devices.ts';
export * from './codes.ts';
export * from './history.ts';
export * from './live.ts';
export * from './fleet.ts';
export * from './checkpoints.ts';
export * from './imports.ts';
export * from './settings.ts';
export * from './certificates.ts';
