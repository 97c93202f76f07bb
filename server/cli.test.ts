import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand, UsageError } from './cli.ts';
import { ConfigError } from './config.ts';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pizhu-cli-'));
  env = { DATA_DIR: dir };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('CLI', () => {
  it('creates and lists teams, and prints JSON with --json', async () => {
    const created = JSON.parse(await runCommand(['team', 'create', '政策研究组', '--json'], env)) as {
      teamId: string;
      inviteCode: string;
    };
    expect(Object.keys(created).sort()).toEqual(['inviteCode', 'teamId']);
    expect(created.inviteCode).toMatch(/^\w{4}-\w{4}-\w{4}$/);
    expect(await runCommand(['team', 'create', 'Second', 'team'], env)).toMatch(
      /Created team "Second team" \(id t\w+\)\.\nInvite code: /,
    );
    const list = JSON.parse(await runCommand(['team', 'list', '--json'], env)) as { id: string; name: string }[];
    expect(list.map((t) => t.name)).toEqual(['政策研究组', 'Second team']);
    expect(await runCommand(['team', 'list'], env)).toContain(`${created.teamId}  政策研究组  (0 members, 0 pages)`);
  });

  it('creates invites with a role and revokes them', async () => {
    const { teamId } = JSON.parse(await runCommand(['team', 'create', 'T', '--json'], env)) as { teamId: string };
    const invite = JSON.parse(
      await runCommand(['invite', teamId, '--role', 'viewer', '--uses', '3', '--json'], env),
    ) as { inviteId: string; role: string };
    expect(invite.role).toBe('viewer');
    expect(await runCommand(['revoke', invite.inviteId], env)).toBe(`Revoked invite ${invite.inviteId}.`);
    await expect(runCommand(['revoke', invite.inviteId], env)).rejects.toThrow(
      /not a token, member id or active invite id/,
    );
  });

  it('lists every environment variable from the configuration schemas', async () => {
    const variables = JSON.parse(await runCommand(['env', '--json'], env)) as { name: string; default: string }[];
    expect(variables).toContainEqual(expect.objectContaining({ name: 'PIZHU_MAX_ROOM_BYTES', default: '16777216' }));
    expect(variables.map((v) => v.name)).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'PORT']));
    expect(await runCommand(['env'], env)).toMatch(/^PORT=8787\n {4}Port to listen on/m);
  });

  it('says what is wrong without a stack trace', async () => {
    await expect(runCommand(['invite', 'tNope'], env)).rejects.toThrow(/No team "tNope"/);
    await expect(runCommand(['invite', 'x', '--role', 'boss'], env)).rejects.toThrow(UsageError);
    await expect(runCommand(['team', 'create'], env)).rejects.toThrow(UsageError);
    await expect(runCommand(['frobnicate'], env)).rejects.toThrow(/Unknown command/);
    await expect(runCommand(['team', 'list'], { DATA_DIR: '/proc/pizhu-nope' })).rejects.toThrow(ConfigError);
  });
});
