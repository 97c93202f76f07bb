import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdownInline, escapeMarkdownLines, safeHttpUrl, sanitizeExportText } from './escape.ts';

const markdown = new MarkdownIt({ html: true });
/** GFM-style renderers also turn bare http(s) addresses into links, which is fine: nothing else may become one. */
const linkifying = new MarkdownIt({ html: true, linkify: true });
const textOf = (html: string) =>
  html
    .replace(/<\/?p>\n?/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

describe('sanitizeExportText', () => {
  it.each([
    ['XML 1.0 forbidden controls', 'a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg', 'abcdefg'],
    ['noncharacters U+FFFE and U+FFFF', '标\uFFFE题\uFFFF', '标题'],
    ['lone surrogates of both kinds', 'a\uD800b\uDFFFc\uDBFF', 'abc'],
    ['DEL and C1 controls', 'a\u007Fb\u0085c\u009Fd', 'abcd'],
    ['embeddings and overrides', 'invoice\u202Etxt.exe\u202A\u202B\u202C\u202D', 'invoicetxt.exe'],
    ['isolates', '\u2066a\u2067b\u2068c\u2069', 'abc'],
    ['implicit direction marks', 'a\u200Eb\u200Fc\u061Cd', 'abcd'],
    ['deprecated format and annotation characters', 'a\u206Eb\u206Fc\uFFF9d\uFFFAe\uFFFBf', 'abcdef'],
  ])('removes %s', (_, input, output) => {
    expect(sanitizeExportText(input)).toBe(output);
  });

  it('keeps everything else: line breaks, tabs, CJK, emoji, Arabic letters, zero-width joiners', () => {
    const text = '第一行\r\n\t第二行 😀 👨‍👩‍👧 مرحبا ①（一） — “引号” \u3000 \u00A0';
    expect(sanitizeExportText(text)).toBe(text);
    expect(sanitizeExportText(sanitizeExportText('a\u202Eb'))).toBe('ab');
  });

  it('is applied by the HTML and Markdown escapers', () => {
    expect(escapeHtml('<b>\u202Ex\uFFFF')).toBe('&lt;b&gt;x');
    expect(escapeMarkdownInline('*\u202E*')).toBe('\\*\\*');
    expect(escapeMarkdownLines('a\u0001\nb\u2066')).toEqual(['a', 'b']);
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')"> & co`)).toBe(
      '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt; &amp; co',
    );
  });
});

describe('safeHttpUrl', () => {
  it.each([
    ['https://example.gov/a b"<x>', 'https://example.gov/a%20b%22%3Cx%3E'],
    ['http://gov.cn/(1)', 'http://gov.cn/%281%29'],
    ['javascript:alert(1)', null],
    ['data:text/html,hi', null],
    ['/relative', null],
    ['', null],
  ])('%s → %s', (url, safe) => {
    expect(safeHttpUrl(url)).toBe(safe);
  });
});

describe('Markdown escaping', () => {
  it.each([
    '**bold** _em_ `code` ~~strike~~',
    '<script>alert(1)</script>',
    '[link](javascript:alert(1)) ![img](x.png)',
    '<http://evil.example>',
    '# heading',
    '- item',
    '+ item',
    '1. item',
    '2) item',
    '> quote',
    '    indented code',
    '| a | b |',
    '&amp; &copy;',
    '$x^2$ \\ backslash',
    '===',
  ])('%s renders as its own text', (text) => {
    const html = markdown.render(escapeMarkdownInline(text));
    expect(html).not.toMatch(/<(strong|em|code|s|del|script|a|img|h1|ul|ol|li|blockquote|pre|table)\b/);
    expect(textOf(html).trim()).toBe(text.trim());
  });

  it('lets a linkifying renderer link only plain http(s) addresses', () => {
    const html = linkifying.render(
      escapeMarkdownInline('see <http://a.example> javascript:alert(1) www.b.example [x](data:text/html,y)'),
    );
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toContain('http://a.example');
    for (const href of hrefs) expect(href).toMatch(/^https?:\/\//);
  });

  it('keeps line starts harmless on every line', () => {
    const lines = escapeMarkdownLines('ok\n# not a heading\n- not a list\n\n10. not a list');
    const html = markdown.render(lines.join('\n'));
    expect(html).not.toMatch(/<(h1|ul|ol)\b/);
    expect(lines[3]).toBe('');
  });
});
