// This build's version (scanner-pwa/package.json, put in by build.config.ts), which the
// phone reports in its hello and pings for the supervisors' device fleet.
declare const __APP_VERSION__: string | undefined;

/** "dev" where the build did not define it (a script run by tsx). */
export const APP_VERSION: string = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';
