/**
 * The team briefing endpoint against the real server (127.0.0.1, a real SQLite file): annotations pushed into
 * team rooms come back as a briefing in every format, for members of that team only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Annotation, DocumentInfo } from '../../../shared/model/index.ts';
import {
  documentKeyFor,
  canonicalUrl,
  roomIdFor,
  writeAnnotation,
  writeDocumentInfo,
} from '../../../shared/model/index.ts';
import { bytesToBase64 } from '../../../shared/protocol/api.ts';
import { sampleAnnotation } from '../../fixtures/annotation.ts';
import { addMember, api, createTeamWithOwner, join, startTestServer, type TestServer } from '../server/helpers.ts';

const URL_01 = 'http://jyj.suizhou.gov.cn/fbjd_22/zwgk/xxgkml/ghjh/ghxx/202303/t20230329_1089222.shtml';

function documentInfo(): DocumentInfo {
  return {
    key: documentKeyFor(URL_01),
    canonicalUrl: canonicalUrl(URL_01),
    url: URL_01,
    title: '市委教育工委 市教育局关于印发2023年工作要点的通知',
    issuer: '市委教育工委 市教育局',
    publishedAt: '2023-03-05',
  };
}

function annotation(teamId: string, author: { id: string; name: string }, over: Partial<Annotation>): Annotation {
  const now = Date.UTC(2024, 2, 5, 2, 0);
  return sampleAnnotation({
    documentKey: documentKeyFor(URL_01),
    teamId,
    quote: '8. 促进学生身心健康全面发展',
    author,
    createdAt: now,
    updatedAt: now,
    ...over,
  });
}

async function push(server: TestServer, token: string, teamId: string, annotations: Annotation[]) {
  const doc = new Y.Doc();
  writeDocumentInfo(doc, documentInfo());
  for (const a of annotations) writeAnnotation(doc, a, a.author.id);
  const room = roomIdFor(teamId, documentKeyFor(URL_01));
  const res = await api<{ results: { ok: boolean }[] }>(server, 'POST', `/api/teams/${teamId}/push`, {
    token,
    body: { updates: [{ room, update: bytesToBase64(Y.encodeStateAsUpdate(doc)) }] },
  });
  expect(res.status).toBe(200);
  expect(res.body.results.every((r) => r.ok)).toBe(true);
}

describe('GET /api/teams/<teamId>/briefing', () => {
  let server: TestServer;
  let team: Awaited<ReturnType<typeof createTeamWithOwner>>;
  let other: Awaited<ReturnType<typeof createTeamWithOwner>>;

  beforeAll(async () => {
    server = await startTestServer();
    const created = await server.teams.createTeam('政策研究组');
    team = { ...created, owner: await join(server, created.inviteCode, '张伟') };
    other = await createTeamWithOwner(server, 'Other');
    const owner = { id: team.owner.memberId, name: '张伟' };
    const editor = await addMember(server, team.teamId, 'editor', '李娜');
    // Each member pushes their own annotations (the server refuses records of someone else).
    await push(server, team.owner.token, team.teamId, [
      annotation(team.teamId, owner, { note: '体育课时要落实 <script>alert(1)</script>' }),
      annotation(team.teamId, owner, { id: 'gone', quote: '已删除的批注', deleted: true }),
    ]);
    await push(server, editor.token, team.teamId, [
      annotation(team.teamId, { id: editor.memberId, name: '李娜' }, { id: 'a2', note: '建议加上心理健康' }),
    ]);
    // The query index is written in batches: wait until it reflects the push.
    const deadline = Date.now() + 5_000;
    while ((await server.queries.teamAnnotations(team.teamId)).annotations.length < 2) {
      if (Date.now() > deadline) throw new Error('the index did not reflect the push within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(async () => {
    await server?.cleanup();
  });

  const briefing = (query: string, token = team.owner.token) =>
    api<string>(server, 'GET', `/api/teams/${team.teamId}/briefing?${query}`, { token });

  it('renders Markdown with the clause, the quote and every annotator, side by side', async () => {
    const res = await briefing('format=md&groupBy=document&unit=教育局');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/markdown/);
    expect(res.headers.get('content-disposition')).toMatch(/filename\*=UTF-8''/);
    expect(res.body).toContain('二、8.');
    expect(res.body).toContain('促进学生身心健康全面发展');
    expect(res.body).toContain('张伟');
    expect(res.body).toContain('李娜');
    expect(res.body).not.toContain('已删除的批注');
  });

  it('renders DOCX as a Word file', async () => {
    const response = await fetch(`${server.url}/api/teams/${team.teamId}/briefing?format=docx`, {
      headers: { authorization: `Bearer ${team.owner.token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 2)]).toEqual([0x50, 0x4b]);
  });

  it('renders HTML with hostile notes as text', async () => {
    const res = await briefing('format=html');
    expect(res.status).toBe(200);
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.body).not.toContain('<script>alert(1)</script>');
  });

  it('renders W3C JSON with the team annotations', async () => {
    const res = await briefing('format=json');
    expect(res.status).toBe(200);
    const collection = res.body as unknown as { type: string | string[]; total?: number };
    expect(JSON.stringify(collection)).toContain('AnnotationCollection');
    expect(JSON.stringify(collection)).toContain('建议加上心理健康');
  });

  it('filters by tag and gives a clear empty briefing when nothing matches', async () => {
    const res = await briefing('format=md&tag=不存在的标签');
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('促进学生身心健康全面发展');
  });

  it('refuses bad options with a readable 400', async () => {
    const res = await briefing('format=pdf&groupBy=colour');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/format/);
  });

  it('is for members of the team only', async () => {
    expect((await briefing('format=md', other.owner.token)).status).toBe(403);
    const anonymous = await api(server, 'GET', `/api/teams/${team.teamId}/briefing?format=md`);
    expect(anonymous.status).toBe(401);
    const theirs = await api<string>(server, 'GET', `/api/teams/${other.teamId}/briefing?format=md`, {
      token: other.owner.token,
    });
    expect(theirs.status).toBe(200);
    expect(theirs.body).not.toContain('促进学生身心健康全面发展');
  });
});
