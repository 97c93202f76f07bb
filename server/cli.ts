/**
 * Administration from the command line, working on the store the environment selects (PostgreSQL when
 * DATABASE_URL is set, else the SQLite file in DATA_DIR), also while the server runs:
 *   team create "<name>" [--json]       a team and its first invite code
 *   team list [--json]
 *   invite <teamId> [--role editor|viewer|owner] [--uses N] [--expires-hours H] [--json]
 *   members <teamId> [--json]
 *   role <memberId> <owner|editor|viewer>
 *   member-unit <memberId> <unit | --none>
 *   revoke <token | memberId | inviteId>
 *   migrate --from <DATA_DIR> --to <DATABASE_URL>   copies a SQLite deployment into PostgreSQL and verifies it
 *   env [--json]                        the environment variables, from config.ts's schemas
 */
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../shared/protocol/api.ts';
import { TeamService } from './auth/team-service.ts';
import { ConfigError, configFromEnv, environmentVariables } from './config.ts';
import { ApiError } from './http/errors.ts';
import { currentUnit, resolveUnitInput } from '../shared/tasks/index.ts';
import { silentLogger } from './log.ts';
import { copySqliteToPostgres } from './storage/copy-to-postgres.ts';
import { openStores } from './storage/open-stores.ts';

export const USAGE = `Usage: npm run server [-- <command>]

  (no command)                         start the server (HOST, PORT, DATA_DIR, ALLOWED_ORIGINS from the environment)
  team create "<name>" [--json]        create a team; prints its id and an invite code
  team list [--json]                   list teams
  invite <teamId> [--role editor|viewer|owner] [--uses N] [--expires-hours H] [--json]
                                       create an invite code
  members <teamId> [--json]            list a team's members
  role <memberId> <owner|editor|viewer>
                                       change a member's role
  member-unit <memberId> <unit|--none> give a member a unit (a unit id or name); its members may add
                                       progress to the tasks it leads or shares, viewers included
  revoke <token|memberId|inviteId>     revoke a token, all tokens of a member, or an invite
  migrate --from <DATA_DIR> --to <DATABASE_URL> [--json]
                                       copy a SQLite deployment into PostgreSQL and verify the copy
  env [--json]                         every environment variable with its default and what it sets

  The commands work on PostgreSQL when DATABASE_URL is set, else on the SQLite file in DATA_DIR.
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  role: { type: 'string' },
  uses: { type: 'string' },
  'expires-hours': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  none: { type: 'boolean' },
} as const;

type Flags = ReturnType<typeof parseCommandLine>['values'];

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
}

function flagNumber(flags: Flags, name: 'uses' | 'expires-hours'): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number`);
  return value;
}

function roleOf(raw: string | undefined, fallback: Role): Role {
  if (raw === undefined) return fallback;
  if (!(ROLES as readonly string[]).includes(raw)) {
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  }
  return raw as Role;
}

const date = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toISOString());

/** Runs one command; returns the text to print. Throws UsageError, ConfigError or ApiError. */
export async function runCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { positionals: positional, values: flags } = parseCommandLine(args);
  if (flags.help) return USAGE;
  const json = flags.json === true;
  if (positional[0] === 'migrate') return migrate(flags, json);
  if (positional[0] === 'env') return describeEnvironment(json);
  const config = configFromEnv(env);
  const stores = await openStores(config, { log: silentLogger, lockDataDir: false, serving: false });
  const teams = new TeamService(stores.teams, {
    ticketTtlMs: config.timings.ticketTtlMs,
    inviteTtlMs: config.timings.inviteTtlMs,
    inviteMaxUses: config.limits.inviteMaxUses,
  });
  try {
    const [command, sub, ...rest] = positional;
    if (command === 'team' && sub === 'create') {
      const name = rest.join(' ').trim();
      if (!name) throw new UsageError('team create needs a name: team create "Policy research"');
      const team = await teams.createTeam(name);
      if (json) return JSON.stringify({ teamId: team.teamId, inviteCode: team.inviteCode });
      return [
        `Created team "${team.teamName}" (id ${team.teamId}).`,
        `Invite code: ${team.inviteCode}  (editors, ${team.invite.maxUses} uses, expires ${date(team.invite.expiresAt)}; the first person to join becomes the owner)`,
      ].join('\n');
    }
    if (command === 'team' && sub === 'list') {
      const list = await teams.listTeams();
      if (json) return JSON.stringify(list);
      if (list.length === 0) return 'No teams yet. Create one with: npm run server -- team create "<name>"';
      return list.map((t) => `${t.id}  ${t.name}  (${t.members} members, ${t.rooms} pages)`).join('\n');
    }
    if (command === 'invite' && sub) {
      const hours = flagNumber(flags, 'expires-hours');
      const invite = await teams.createInvite(sub, {
        role: roleOf(flags.role, 'editor'),
        maxUses: flagNumber(flags, 'uses'),
        expiresAt: hours ? Date.now() + hours * 3_600_000 : null,
      });
      if (json) return JSON.stringify({ inviteId: invite.id, inviteCode: invite.inviteCode, role: invite.role });
      return `Invite code: ${invite.inviteCode}  (role ${invite.role}, ${invite.maxUses} use(s), expires ${date(invite.expiresAt)}; id ${invite.id})`;
    }
    if (command === 'members' && sub) {
      const units = await stores.index.units(sub);
      const members = (await teams.listMembers(sub)).map((m) => ({
        ...m,
        unit: m.unit ? currentUnit(units, m.unit) : null,
      }));
      if (json) return JSON.stringify(members);
      if (members.length === 0) return 'No members yet.';
      return members
        .map((m) => `${m.id}  ${m.role.padEnd(6)}  ${m.displayName}${m.unit ? `  (${m.unit.name})` : ''}`)
        .join('\n');
    }
    if (command === 'role' && sub && rest[0]) {
      const member = await teams.store.getMember(sub);
      if (!member || member.removedAt !== null) throw new UsageError(`No member "${sub}"`);
      const updated = await teams.setRole(member.teamId, member.id, roleOf(rest[0], member.role));
      return `${updated.displayName} is now ${updated.role}.`;
    }
    if (command === 'member-unit' && sub && (rest[0] || flags.none === true)) {
      const member = await teams.store.getMember(sub);
      if (!member || member.removedAt !== null) throw new UsageError(`No member "${sub}"`);
      const input = flags.none === true ? null : rest.join(' ');
      const unit = input === null ? null : resolveUnitInput(await stores.index.units(member.teamId), input);
      if (input !== null && !unit) throw new UsageError('A unit is a unit id or a name of 1 to 100 characters');
      const updated = await teams.setUnit(member.teamId, member.id, unit);
      return updated.unit
        ? `${updated.displayName} is now in ${updated.unit.name} (unit ${updated.unit.id}).`
        : `${updated.displayName} has no unit now.`;
    }
    if (command === 'revoke' && sub) return await teams.revokeAnything(sub);
    throw new UsageError(`Unknown command: ${positional.join(' ') || '(none)'}\n\n${USAGE}`);
  } finally {
    await stores.close();
  }
}

function describeEnvironment(json: boolean): string {
  const variables = environmentVariables();
  if (json) return JSON.stringify(variables);
  return variables.map((v) => `${v.name}=${v.default}\n    ${v.description}`).join('\n');
}

async function migrate(flags: Flags, json: boolean): Promise<string> {
  if (!flags.from || !flags.to) {
    throw new UsageError('migrate needs both: migrate --from <DATA_DIR> --to postgres://user:pass@host:port/db');
  }
  const report = await copySqliteToPostgres(flags.from, flags.to);
  if (json) return JSON.stringify(report);
  const counts = Object.entries(report.copied)
    .map(([table, n]) => `${table} ${n}`)
    .join(', ');
  return `Copied into PostgreSQL (new rows): ${counts}. Verified field by field: ${report.verified} rows match.`;
}

/** The message to show for a failed command, without a stack trace for expected failures. */
export function describeFailure(error: unknown): string {
  if (error instanceof UsageError || error instanceof ConfigError) return error.message;
  if (error instanceof ApiError) return error.message;
  return `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
}
