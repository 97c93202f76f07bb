// Vitest global setup of the projects that start the server as a process: build it first, so those tests run
// the same compiled code (`node dist/server/main.js`) that `npm start` and `npm run server` run.
import { buildServer } from '../scripts/build-server.mjs';

export default async function setup(): Promise<void> {
  await buildServer();
}
