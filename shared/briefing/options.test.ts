import { describe, expect, it } from 'vitest';
import { ValidationError } from '../model/annotation.ts';
import { parseBriefingOptions, parseBriefingQuery } from './options.ts';

describe('parseBriefingOptions', () => {
  it('fills in the documented defaults', () => {
    expect(parseBriefingOptions({})).toEqual({
      documents: [],
      tags: [],
      who: 'team',
      includeReplies: true,
      groupBy: 'tag',
      order: 'clause',
      language: 'auto',
      timeZone: 'Asia/Shanghai',
      summaryTable: true,
      includeEmptyNotes: false,
      unit: '',
      issueNumber: '',
      mark: '',
      reportTo: '',
      copyTo: '',
      distributeTo: '',
    });
  });

  it('normalises tags like stored tags and trims header fields', () => {
    const options = parseBriefingOptions({ tags: [' ＰＰＰ 项目 ', 'ppp 项目', 'Funding'], unit: '  办公室 ' });
    expect(options.tags).toEqual(['ppp 项目', 'funding']);
    expect(options.unit).toBe('办公室');
  });

  it.each([
    [{ groupBy: 'colour' }, /groupBy/],
    [{ from: '2024-02-30' }, /from: is not a calendar date/],
    [{ from: '2024-3-1' }, /from: must be a date as YYYY-MM-DD/],
    [{ from: '2024-03-10', to: '2024-03-01' }, /"from" must not be after "to"/],
    [{ timeZone: 'Mars/Olympus' }, /timeZone: is not a known time zone/],
    [{ documents: ['not a key!'] }, /documents\.0/],
    [{ copies: 0 }, /copies/],
    [{ sortBy: 'clause' }, /sortBy|Unrecognized key/i],
    [{ unit: 'x'.repeat(101) }, /unit/],
  ])('refuses %j', (value, message) => {
    expect(() => parseBriefingOptions(value)).toThrow(ValidationError);
    expect(() => parseBriefingOptions(value)).toThrow(message);
  });
});

describe('parseBriefingQuery', () => {
  it('reads format, lists, booleans, numbers and header fields', () => {
    const params = new URLSearchParams(
      'format=md&document=abc&documents=def,ghi&tag=财政,资金&tags=人才,产教融合&groupBy=document&order=newest' +
        '&from=2024-03-01&to=2024-03-31&who=team&includeReplies=false&summaryTable=0&copies=20&unit=%E5%8A%9E%E5%85%AC%E5%AE%A4&issueNumber=3' +
        '&includeEmptyNotes=true',
    );
    const { format, options } = parseBriefingQuery(params);
    expect(format).toBe('md');
    expect(options).toMatchObject({
      documents: ['abc', 'def', 'ghi'],
      tags: ['财政,资金', '人才', '产教融合'],
      groupBy: 'document',
      order: 'newest',
      from: '2024-03-01',
      to: '2024-03-31',
      includeReplies: false,
      summaryTable: false,
      includeEmptyNotes: true,
      copies: 20,
      unit: '办公室',
      issueNumber: '3',
    });
  });

  it('defaults to DOCX and the default options', () => {
    const { format, options } = parseBriefingQuery(new URLSearchParams());
    expect(format).toBe('docx');
    expect(options).toEqual(parseBriefingOptions({}));
  });

  it('lists every problem at once', () => {
    const params = new URLSearchParams(
      'format=pdf&groupby=tag&copies=many&summaryTable=maybe&from=yesterday&order=clause&order=oldest',
    );
    let error: unknown;
    try {
      parseBriefingQuery(params);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues.join('\n');
    expect(issues).toMatch(/format: must be one of docx, md, html, json/);
    expect(issues).toMatch(/groupby: unknown option/);
    expect(issues).toMatch(/order: given more than once/);
    expect(issues).toMatch(/copies/);
    expect(issues).toMatch(/summaryTable/);
    expect(issues).toMatch(/from/);
  });
});
