/**
 * `npm run server` starts the sync server; `npm run server -- <command>` runs an admin command (see cli.ts).
 * Configuration mistakes print one line and exit with status 1, never a stack trace.
 */
import path from 'node:path';
import { describeFailure, runCommand, USAGE } from './cli.ts';
import { ConfigError, configFromEnv, firstTeamName } from './config.ts';
import { startServer } from './index.ts';

async function serve(): Promise<void> {
  const config = configFromEnv();
  const server = await startServer(config);
  const lines = [`Pizhu sync server listening on ${server.url}  (data in ${server.dataLocation})`];
  const teams = await server.teams.listTeams();
  if (teams.length === 0) {
    const team = await server.teams.createTeam(firstTeamName(config));
    const extension = path.resolve('.output/chrome-mv3');
    lines.push(
      '',
      `First start: created the team "${team.teamName}" (id ${team.teamId}).`,
      `  Invite code: ${team.inviteCode}  (${team.invite.maxUses} uses, valid until ${new Date(team.invite.expiresAt!).toISOString().slice(0, 10)})`,
      '',
      'Next:',
      `  1. Build the extension (npm run build) and load it unpacked from ${extension}`,
      '     (chrome://extensions, Developer mode, "Load unpacked").',
      `  2. In the extension's settings enter the server ${server.url} and the invite code above.`,
      '     The first person to join becomes the team owner; share the code with colleagues.',
      `  3. Try it on the demo notice: ${server.url}/demo`,
      '',
      'More invites: npm run server -- invite <teamId> [--role viewer]; list teams: npm run server -- team list',
    );
  } else {
    lines.push(`Teams: ${teams.map((t) => `${t.name} (${t.id})`).join(', ')}`);
    lines.push(`Demo notice: ${server.url}/demo    Invite someone: npm run server -- invite <teamId>`);
  }
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: closing connections and saving rooms...`);
    server
      .close()
      .then(() => process.exit(0))
      .catch((error) => {
        console.error(`Shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('unhandledRejection', (reason) => {
    console.error(`Unhandled rejection: ${(reason as Error)?.message ?? String(reason)}`);
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    console.log(USAGE);
    return;
  }
  if (args.length === 0 || args[0] === 'serve') {
    await serve();
    return;
  }
  console.log(await runCommand(args));
}

main().catch((error) => {
  const message = error instanceof ConfigError ? `Cannot start: ${error.message}` : describeFailure(error);
  console.error(message);
  process.exit(1);
});
