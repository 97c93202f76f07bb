import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrame, type JournalRecord, parseJournal, UpdateJournal } from './update-journal.ts';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pizhu-journal-'));
  file = path.join(dir, 'pizhu.journal');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = (id: number, roomId = 'team1.doc1', size = 40): JournalRecord => ({
  id,
  roomId,
  teamId: roomId.split('.')[0]!,
  at: 1_700_000_000_000 + id,
  update: Uint8Array.from({ length: size }, (_, i) => (i * 7 + id) % 256),
});

describe('UpdateJournal', () => {
  it('reads back every record a previous process appended, in order', () => {
    const first = new UpdateJournal(file, { fsync: false });
    const written = [
      record(1),
      record(2, 'team2.其他文档'),
      record(3, 'team1.doc1', 0),
      record(4, 'team1.doc1', 70_000),
    ];
    for (const r of written) first.append(r);
    first.close(); // no clear(): the process "died" with these records unstored
    const second = new UpdateJournal(file, { fsync: false });
    expect(second.takeRecovered()).toEqual({ records: written, droppedBytes: 0 });
    second.close();
  });

  it('appends, in pieces, exactly the bytes of the one-buffer frame the tests and tools build', () => {
    const journal = new UpdateJournal(file, { fsync: false });
    const written = [record(1), record(2, 'team2.其他文档', 0), record(3, 'team1.doc1', 5_000)];
    for (const r of written) journal.append(r);
    journal.close();
    expect(readFileSync(file).equals(Buffer.concat(written.map((r) => encodeFrame(r))))).toBe(true);
  });

  it('drops a frame cut short by a crash, and keeps appending after the last whole one', () => {
    const first = new UpdateJournal(file, { fsync: false });
    first.append(record(1));
    first.append(record(2));
    first.close();
    const whole = statSync(file).size;
    truncateSync(file, whole - 5);
    const second = new UpdateJournal(file, { fsync: false });
    const recovered = second.takeRecovered();
    expect(recovered.records.map((r) => r.id)).toEqual([1]);
    expect(recovered.droppedBytes).toBeGreaterThan(0);
    expect(second.takeRecovered().records).toEqual([]); // handed over once, not kept
    second.append(record(3));
    second.close();
    expect(parseJournal(readFileSync(file)).records.map((r) => r.id)).toEqual([1, 3]);
  });

  it('stops at a frame whose checksum fails (a garbled tail is never read as updates)', () => {
    const frames = [encodeFrame(record(1)), encodeFrame(record(2)), encodeFrame(record(3))];
    frames[1]![frames[1]!.byteLength - 1]! ^= 0xff;
    writeFileSync(file, Buffer.concat(frames));
    expect(parseJournal(readFileSync(file)).records.map((r) => r.id)).toEqual([1]);
  });

  it('refuses frames with impossible fields instead of reading garbage', () => {
    appendFileSync(file, Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4])); // a body length past the end
    expect(parseJournal(readFileSync(file))).toEqual({ records: [], droppedBytes: 8 });
    const zeroId = encodeFrame(record(0));
    expect(parseJournal(zeroId).records).toEqual([]);
  });

  it('clear empties the file, and appends start again from its beginning', () => {
    const journal = new UpdateJournal(file, { fsync: true });
    journal.append(record(1));
    journal.clear();
    expect(statSync(file).size).toBe(0);
    journal.append(record(2));
    expect(journal.bytes).toBe(statSync(file).size);
    journal.close();
    expect(parseJournal(readFileSync(file)).records.map((r) => r.id)).toEqual([2]);
  });

  it('lets one server at a time use a journal, and takes over a lock left by a process that is gone', () => {
    const journal = new UpdateJournal(file, { fsync: false });
    expect(() => new UpdateJournal(file, { fsync: false })).toThrow(/already open/);
    journal.close();
    expect(existsSync(`${file}.lock`)).toBe(false);

    writeFileSync(`${file}.lock`, String(process.ppid)); // a live process holds it
    expect(() => new UpdateJournal(file, { fsync: false })).toThrow(new RegExp(`pid ${process.ppid}.*DATA_DIR`));

    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(`${file}.lock`, gone.stdout.trim()); // its holder exited
    const takenOver = new UpdateJournal(file, { fsync: false });
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(String(process.pid));
    takenOver.close();
  });

  it('refuses appends once closed, leaving the file as it was', () => {
    const journal = new UpdateJournal(file, { fsync: false });
    journal.append(record(1));
    journal.close();
    expect(() => journal.append(record(2))).toThrow(/closed/);
    expect(parseJournal(readFileSync(file)).records.map((r) => r.id)).toEqual([1]);
  });
});
