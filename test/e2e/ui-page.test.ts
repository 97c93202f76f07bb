/**
 * The in-page flows on the reference notice, one profile, no team (annotations are private and stay local):
 * the selection toolbar (colour, tags with suggestions and normalisation, note), a highlight's card (edit the
 * note, delete, undo), clause mode (hover shows the label path, click tags the whole clause), snapping a
 * selection to its clause, keyboard commands, a deep link, and a page with hostile CSS.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchProfile, type Profile } from './harness.ts';
import {
  dragSelectIn,
  highlightPoint,
  highlightTextsIn,
  openWithPizhu,
  pageMarkup,
  storedRows,
  tellTab,
  waitForPainted,
} from './ui-support.ts';
import { PAGES, startStaticServer, type StaticServer } from '../browser.ts';

type Row = {
  id: string;
  quote: string;
  tags: string[];
  note: string;
  color: string;
  clausePath: string[];
  deleted: boolean;
  visibility: string;
};

const ITEM_8 = '8. 促进学生身心健康全面发展';
const ITEM_3_PART = '纵深推进全面从严治党';

describe('in the page: toolbar, card, clause mode, commands', () => {
  let server: StaticServer;
  let profile: Profile;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    server = await startStaticServer();
    profile = await launchProfile('ui-page');
    url = `${server.url}/${PAGES.reference}`;
    page = await openWithPizhu(profile, url);
  });

  afterAll(async () => {
    await profile?.close();
    await server?.close();
  });

  const ui = (selector: string) => page.locator(`pizhu-ui ${selector}`);

  it('highlights a selection in green with normalised tags and a note, without touching the page DOM', async () => {
    const before = await pageMarkup(page);
    await dragSelectIn(page, page.mainFrame(), ITEM_8);
    await ui('.pz-toolbar').waitFor();
    expect(await ui('[data-testid="selection-clause"]').textContent()).toBe('二、8.');

    await ui('.pz-swatch[data-color="green"]').click();
    const tags = ui('.pz-toolbar .pz-tags');
    await tags.fill('  ＰＰＰ  ');
    await tags.press('Enter');
    await tags.fill('体育，健康');
    await ui('.pz-toolbar .pz-note').fill('重点：<script>alert(1)</script> 体质监测');
    await page.screenshot({ path: artifactPath('ui-page-toolbar.png') });
    await ui('.pz-toolbar .pz-primary').click();

    await expect.poll(async () => (await highlightTextsIn(page, ['pizhu-green']))['pizhu-green']).toEqual([ITEM_8]);
    expect(await pageMarkup(page)).toBe(before);
    const rows = await storedRows<Row>(profile, 'annotations');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      quote: ITEM_8,
      color: 'green',
      tags: ['ppp', '体育', '健康'],
      clausePath: ['二、', '8.'],
    });
    expect(rows[0]!.note).toBe('重点：<script>alert(1)</script> 体质监测');
  });

  it('suggests tags already used, and picks one with the keyboard', async () => {
    await dragSelectIn(page, page.mainFrame(), ITEM_3_PART);
    const tags = ui('.pz-toolbar .pz-tags');
    await tags.waitFor();
    await tags.click();
    await tags.fill('体');
    await ui('.pz-suggestions [role="option"]').first().waitFor();
    expect(await ui('.pz-suggestions [role="option"]').allTextContents()).toEqual(['体育1']);
    await tags.press('ArrowDown');
    await tags.press('Enter');
    expect(await ui('.pz-toolbar .pz-chip').allTextContents()).toEqual(['体育×']);
    await tags.press('Enter'); // Enter on the empty field saves
    await expect
      .poll(async () => (await highlightTextsIn(page, ['pizhu-yellow']))['pizhu-yellow'])
      .toEqual([ITEM_3_PART]);
  });

  it('opens a card on click, shows the note as text, edits it, deletes and undoes', async () => {
    const point = await highlightPoint(page, page.mainFrame(), 'pizhu-green');
    await page.mouse.click(point.x, point.y);
    const card = ui('.pz-card');
    await card.waitFor();
    expect(await card.locator('.pz-clause').textContent()).toBe('二、8.');
    expect(await card.locator('.pz-quote').textContent()).toBe(ITEM_8);
    expect(await card.locator('.pz-note').inputValue()).toContain('<script>alert(1)</script>');
    // Focus moved into the card.
    expect(
      await page.evaluate(() =>
        document.querySelector('pizhu-ui')!.shadowRoot!.activeElement?.getAttribute('aria-label'),
      ),
    ).toBeTruthy();
    await page.screenshot({ path: artifactPath('ui-page-card.png') });

    await card.locator('.pz-note').fill('体质监测每年一次');
    await card.locator('.pz-quote').click(); // blur saves
    await expect
      .poll(async () => (await storedRows<Row>(profile, 'annotations')).find((r) => r.quote === ITEM_8)?.note)
      .toBe('体质监测每年一次');

    await card.locator('.pz-danger').click();
    await expect.poll(async () => (await highlightTextsIn(page, ['pizhu-green']))['pizhu-green']).toEqual([]);
    await ui('.pz-undo').click();
    await expect.poll(async () => (await highlightTextsIn(page, ['pizhu-green']))['pizhu-green']).toEqual([ITEM_8]);
  });

  it('clause mode: hovering shows the label path, a click tags the whole clause, and the mode stays on', async () => {
    await page.keyboard.press('Escape');
    await ui('.pz-mode').click();
    const mode = ui('.pz-mode');
    expect(await mode.getAttribute('aria-pressed')).toBe('true');
    const pointAt = (text: string) =>
      page.evaluate((text) => {
        const p = [...document.querySelectorAll('#zoom p')].find((el) => el.textContent!.includes(text))!;
        p.scrollIntoView({ block: 'center' });
        const r = p.getBoundingClientRect();
        return { x: r.left + 40, y: r.top + r.height / 2 };
      }, text);
    const target = await pointAt('12. 扎实推进');
    await page.mouse.move(target.x, target.y);
    await page.mouse.move(target.x + 5, target.y);
    const hint = ui('.pz-clause-hint');
    await hint.waitFor();
    expect(await hint.textContent()).toContain('三、12.');
    await page.screenshot({ path: artifactPath('ui-page-clause-mode.png') });

    await page.mouse.click(target.x + 5, target.y);
    await ui('.pz-toolbar').waitFor();
    expect(await ui('[data-testid="selection-clause"]').textContent()).toBe('三、12.');
    // The whole clause is selected: widening it to the clause is not offered.
    expect(await ui('.pz-toolbar .pz-snap').count()).toBe(0);
    await ui('.pz-toolbar .pz-tags').fill('安全');
    await ui('.pz-toolbar .pz-tags').press('Enter');
    await ui('.pz-swatch[data-color="blue"]').click();
    await ui('.pz-toolbar .pz-primary').click();
    await expect
      .poll(
        async () => (await storedRows<Row>(profile, 'annotations')).find((r) => r.tags.includes('安全'))?.clausePath,
      )
      .toEqual(['三、', '12.']);
    const stored = (await storedRows<Row>(profile, 'annotations')).find((r) => r.tags.includes('安全'))!;
    expect(stored.quote.startsWith('12. 扎实推进')).toBe(true);

    // Still in clause mode after the click and the save: the next clause is one click away.
    await expect.poll(() => ui('.pz-toolbar').count()).toBe(0);
    expect(await mode.getAttribute('aria-pressed')).toBe('true');
    const next = await pointAt('7. 加强教育教学研究工作');
    await page.mouse.move(next.x, next.y);
    await page.mouse.move(next.x + 5, next.y);
    await expect.poll(() => hint.textContent()).toContain('二、7.');
    await page.mouse.click(next.x + 5, next.y);
    await expect.poll(() => ui('[data-testid="selection-clause"]').textContent()).toBe('二、7.');
    expect(await ui('.pz-toolbar .pz-snap').count()).toBe(0);
    // Escape closes the toolbar first, then leaves clause mode; the button leaves it too.
    await page.keyboard.press('Escape');
    await expect.poll(() => ui('.pz-toolbar').count()).toBe(0);
    expect(await mode.getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('Escape');
    await expect.poll(() => mode.getAttribute('aria-pressed')).toBe('false');
    await mode.click();
    expect(await mode.getAttribute('aria-pressed')).toBe('true');
    await mode.click();
    expect(await mode.getAttribute('aria-pressed')).toBe('false');
  });

  it('snaps a partial selection to its whole clause', async () => {
    await dragSelectIn(page, page.mainFrame(), '做好大中小学思想政治工作');
    await ui('.pz-snap').click();
    await expect.poll(() => ui('[data-testid="selection-clause"]').textContent()).toBe('二、6.');
    const selected = await page.evaluate(() => document.getSelection()!.toString());
    expect(selected.length).toBeGreaterThan('做好大中小学思想政治工作'.length);
  });

  it('keyboard commands: highlight the selection, next and previous annotation', async () => {
    await page.keyboard.press('Escape');
    await dragSelectIn(page, page.mainFrame(), '培养高素质教师队伍');
    await ui('.pz-toolbar').waitFor();
    await tellTab(profile.worker, url, { type: 'page.command', command: 'highlight-selection' });
    await expect
      .poll(async () => (await storedRows<Row>(profile, 'annotations')).some((r) => r.quote === '培养高素质教师队伍'))
      .toBe(true);
    await tellTab(profile.worker, url, { type: 'page.command', command: 'next-annotation' });
    const card = ui('.pz-card');
    await card.waitFor();
    const first = await card.getAttribute('data-annotation-id');
    await tellTab(profile.worker, url, { type: 'page.command', command: 'next-annotation' });
    await expect.poll(() => card.getAttribute('data-annotation-id')).not.toBe(first);
    await tellTab(profile.worker, url, { type: 'page.command', command: 'previous-annotation' });
    await expect.poll(() => card.getAttribute('data-annotation-id')).toBe(first);
  });

  it('keyboard only: the tag command focuses the tag field, Enter adds and saves, Escape closes a card', async () => {
    await page.keyboard.press('Escape');
    await dragSelectIn(page, page.mainFrame(), '提升教育督导工作质量');
    await ui('.pz-toolbar').waitFor();
    await tellTab(profile.worker, url, { type: 'page.command', command: 'tag-selection' });
    await expect
      .poll(() => page.evaluate(() => document.querySelector('pizhu-ui')!.shadowRoot!.activeElement?.className))
      .toBe('pz-tags');
    await page.keyboard.type('督导');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await expect
      .poll(
        async () =>
          (await storedRows<Row>(profile, 'annotations')).find((r) => r.quote === '提升教育督导工作质量')?.tags,
      )
      .toEqual(['督导']);
    await tellTab(profile.worker, url, { type: 'page.command', command: 'next-annotation' });
    await ui('.pz-card').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => ui('.pz-card').count()).toBe(0);
  });

  it('refuses tab messages it does not know', async () => {
    const answer = await tellTab(profile.worker, url, { type: 'page.evil', id: 'x' }).catch((e: Error) => e.message);
    expect(String(answer)).toMatch(/Receiving end|message port closed|undefined/);
  });

  it('a deep link #pizhu=<id> scrolls to the highlight, flashes it and opens its card', async () => {
    const row = (await storedRows<Row>(profile, 'annotations')).find((r) => r.tags.includes('安全'))!;
    const linked = await openWithPizhu(profile, `${url}#pizhu=${row.id}`);
    await linked.locator('pizhu-ui .pz-card').waitFor();
    expect(await linked.locator('pizhu-ui .pz-card').getAttribute('data-annotation-id')).toBe(row.id);
    expect((await highlightTextsIn(linked, ['pizhu-flash']))['pizhu-flash']).toHaveLength(1);
    await linked.screenshot({ path: artifactPath('ui-page-deep-link.png') });
    await linked.close();
  });

  it('a page with hostile CSS changes neither the UI nor is changed by it', async () => {
    const hostile = await openWithPizhu(profile, `${server.url}/hostile/${PAGES.reference}`);
    await waitForPainted(hostile, 0);
    await dragSelectIn(hostile, hostile.mainFrame(), '推进教育数字化');
    const toolbar = hostile.locator('pizhu-ui .pz-toolbar');
    await toolbar.waitFor();
    const look = await toolbar.evaluate((el) => {
      const style = getComputedStyle(el);
      const button = el.querySelector('.pz-primary')!;
      const buttonStyle = getComputedStyle(button);
      return {
        display: style.display,
        fontSize: style.fontSize,
        color: style.color,
        width: el.getBoundingClientRect().width,
        buttonColor: buttonStyle.color,
        buttonBackground: buttonStyle.backgroundColor,
      };
    });
    expect(look).toEqual({
      display: 'block',
      fontSize: '13px',
      color: 'rgb(31, 35, 40)',
      width: 360,
      buttonColor: 'rgb(255, 255, 255)',
      buttonBackground: 'rgb(31, 111, 235)',
    });
    // Pizhu added no style to the page: the page's paragraphs keep the page's own (hostile) look.
    const paragraph = await hostile.evaluate(() => getComputedStyle(document.querySelector('#zoom p')!).fontSize);
    expect(paragraph).toBe('40px');
    await hostile.screenshot({ path: artifactPath('ui-page-hostile-css.png') });
    await hostile.close();
  });
});
