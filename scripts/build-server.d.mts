/** See build-server.mjs. */
export const SERVER_DIST: string;
export const SERVER_MAIN: string;
export function buildServer(): Promise<void>;
