/**
 * The export dialog: what goes into the briefing (this page, chosen documents or every document, tags, dates,
 * whose), how it is
 * laid out (grouping, order, language, summary table), the header and closing block (remembered per team) and
 * the format (Word 公文 layout, Markdown, printable HTML, W3C Web Annotation JSON). Built offline from the store.
 */
import { useEffect, useRef, useState } from 'react';
import {
  BRIEFING_FORMATS,
  type BriefingFormat,
  type BriefingOptions,
  type BriefingOptionsInput,
  defaultScope,
  GROUPINGS,
  includesPrivate,
  ORDERS,
  parseBriefingOptions,
} from '../../../shared/briefing/index.ts';
import type { DocumentInfo } from '../../../shared/model/annotation.ts';
import { normaliseTags } from '../../../shared/model/tags.ts';
import { errorText, t, type MessageKey } from '../../lib/i18n.ts';
import type { AnchorStatus } from '../../lib/messages.ts';
import { PeriodFields } from '../common/DateField.tsx';
import type { BriefingSource } from '../../lib/store/queries.ts';
import { Notice } from '../common/Notice.tsx';
import { ChoiceSelect, choicesOf } from '../common/Select.tsx';
import { exportBriefing, openFile, rememberedHeader, rememberHeader, saveFile } from './briefing-export.ts';

export type ExportContext = {
  /** The page the panel is on (null: none). */
  documentKey: string | null;
  /** What the store holds that a briefing with these options may draw from (read through its indexes). */
  load: (options: BriefingOptions) => Promise<BriefingSource>;
  /** The documents one can choose from: the `limit` most recently annotated. */
  listDocuments: (limit: number) => Promise<DocumentInfo[]>;
  teamId: string | null;
  viewer: { id: string; name?: string } | null;
  anchors?: Readonly<Record<string, AnchorStatus>>;
};

type Scope = 'page' | 'chosen' | 'all';

const HEADER_TEXT_FIELDS = ['masthead', 'unit', 'issueNumber', 'mark', 'reportTo', 'copyTo', 'distributeTo'] as const;

export function ExportDialog({ context, onClose }: { context: ExportContext; onClose: () => void }) {
  const remembered = rememberedHeader(context.teamId);
  const [scope, setScope] = useState<Scope>(context.documentKey ? 'page' : 'all');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [tags, setTags] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [who, setWho] = useState(defaultScope(context.teamId !== null).who);
  // Unset until the box is ticked or cleared: the scope model's default for `who` applies.
  const [includePrivate, setIncludePrivate] = useState<boolean | undefined>(undefined);
  const [groupBy, setGroupBy] = useState<(typeof GROUPINGS)[number]>('tag');
  const [order, setOrder] = useState<(typeof ORDERS)[number]>('clause');
  const [language, setLanguage] = useState<'auto' | 'zh' | 'en'>('auto');
  const [summaryTable, setSummaryTable] = useState(true);
  const [includeEmptyNotes, setIncludeEmptyNotes] = useState(false);
  const [title, setTitle] = useState('');
  const [header, setHeader] = useState<Record<string, string>>(
    Object.fromEntries(HEADER_TEXT_FIELDS.map((name) => [name, String(remembered[name] ?? '')])),
  );
  const [copies, setCopies] = useState(remembered.copies ? String(remembered.copies) : '');
  const [format, setFormat] = useState<BriefingFormat>('docx');
  const [state, setState] = useState<
    { kind: 'idle' | 'busy' } | { kind: 'error'; message: string } | { kind: 'done'; filename: string; opened: boolean }
  >({
    kind: 'idle',
  });
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const options = (): BriefingOptionsInput => ({
    documents: scope === 'page' && context.documentKey ? [context.documentKey] : scope === 'chosen' ? [...chosen] : [],
    tags: normaliseTags(tags.split(/[,，;；、\s]+/u)),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    who,
    ...(includePrivate === undefined ? {} : { includePrivate }),
    groupBy,
    order,
    language,
    summaryTable,
    includeEmptyNotes,
    ...(title.trim() ? { title: title.trim() } : {}),
    ...Object.fromEntries(Object.entries(header).filter(([, value]) => value.trim() !== '')),
    ...(copies ? { copies: Number(copies) } : {}),
  });

  const run = async (event: React.FormEvent) => {
    event.preventDefault();
    // An empty list means "every document" to the briefing model: never let "chosen" silently become "all".
    if (scope === 'chosen' && chosen.size === 0)
      return setState({ kind: 'error', message: t('export_no_document_chosen') });
    setState({ kind: 'busy' });
    try {
      const chosen = options();
      const { annotations, documents, tags: asRead } = await context.load(parseBriefingOptions(chosen));
      const file = await exportBriefing({
        annotations,
        documents,
        // Tags as the team reads them (its renames): the annotations' tags are read that way too.
        options: { ...chosen, tags: asRead },
        format,
        viewer: context.viewer,
        anchors: context.anchors,
      });
      rememberHeader(context.teamId, chosen);
      // Printable HTML is for printing: it opens in a tab; the other formats are files to hand on.
      if (format === 'html') openFile(file);
      else saveFile(file);
      setState({ kind: 'done', filename: file.filename, opened: format === 'html' });
    } catch (error) {
      setState({ kind: 'error', message: errorText(error) });
    }
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop closes the dialog; Escape does the same from the keyboard
    <div className="pz-modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <form
        className="pz-modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="export-title"
        onSubmit={run}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
        }}
      >
        <h2 id="export-title">{t('export_title')}</h2>

        <fieldset className="pz-fieldset">
          <legend>{t('export_scope')}</legend>
          <label className="pz-check">
            <input
              ref={first}
              type="radio"
              name="scope"
              checked={scope === 'page'}
              disabled={!context.documentKey}
              onChange={() => setScope('page')}
            />
            {t('export_scope_page')}
          </label>
          <label className="pz-check">
            <input type="radio" name="scope" checked={scope === 'chosen'} onChange={() => setScope('chosen')} />
            {t('export_scope_chosen')}
          </label>
          {scope === 'chosen' && <DocumentChooser list={context.listDocuments} chosen={chosen} onChange={setChosen} />}
          <label className="pz-check">
            <input type="radio" name="scope" checked={scope === 'all'} onChange={() => setScope('all')} />
            {t('export_scope_all')}
          </label>
          <label className="pz-field">
            {t('export_tags')}
            <input
              name="tags"
              value={tags}
              placeholder={t('export_tags_placeholder')}
              onChange={(e) => setTags(e.target.value)}
            />
          </label>
          <div className="pz-row">
            <PeriodFields
              className="pz-field"
              names={{ from: 'from', to: 'to' }}
              labels={{ from: t('export_from'), to: t('export_to') }}
              value={{ from, to }}
              onChange={(period) => {
                setFrom(period.from);
                setTo(period.to);
              }}
            />
          </div>
          <div className="pz-row">
            <label className="pz-check">
              <input type="radio" name="who" checked={who === 'team'} onChange={() => setWho('team')} />
              {t('export_who_team')}
            </label>
            <label className="pz-check">
              <input type="radio" name="who" checked={who === 'mine'} onChange={() => setWho('mine')} />
              {t('export_who_mine')}
            </label>
            <label className="pz-check">
              <input
                type="checkbox"
                name="includePrivate"
                checked={includesPrivate({ who, includePrivate })}
                onChange={(e) => setIncludePrivate(e.target.checked)}
              />
              {t('export_include_private')}
            </label>
          </div>
        </fieldset>

        <fieldset className="pz-fieldset">
          <legend>{t('export_layout')}</legend>
          <div className="pz-row">
            <label className="pz-field">
              {t('export_group_by')}
              <ChoiceSelect
                name="groupBy"
                choices={choicesOf(GROUPINGS, (g) => t(`export_group_${g}` as MessageKey))}
                value={groupBy}
                onChange={setGroupBy}
              />
            </label>
            <label className="pz-field">
              {t('export_order')}
              <ChoiceSelect
                name="order"
                choices={choicesOf(ORDERS, (o) => t(`export_order_${o}` as MessageKey))}
                value={order}
                onChange={setOrder}
              />
            </label>
            <label className="pz-field">
              {t('export_language')}
              <ChoiceSelect
                name="briefingLanguage"
                choices={[
                  { value: 'auto', label: t('export_language_auto') },
                  { value: 'zh', label: '中文' },
                  { value: 'en', label: 'English' },
                ]}
                value={language}
                onChange={setLanguage}
              />
            </label>
          </div>
          <label className="pz-check">
            <input
              type="checkbox"
              name="summaryTable"
              checked={summaryTable}
              onChange={(e) => setSummaryTable(e.target.checked)}
            />
            {t('export_summary_table')}
          </label>
          <label className="pz-check">
            <input
              type="checkbox"
              name="includeEmptyNotes"
              checked={includeEmptyNotes}
              onChange={(e) => setIncludeEmptyNotes(e.target.checked)}
            />
            {t('export_empty_notes')}
          </label>
        </fieldset>

        <fieldset className="pz-fieldset">
          <legend>{t('export_header')}</legend>
          <label className="pz-field">
            {t('export_field_title')}
            <input
              name="title"
              value={title}
              placeholder={t('export_field_title_placeholder')}
              onChange={(e) => setTitle(e.target.value)}
            />
          </label>
          <div className="pz-grid-2">
            {HEADER_TEXT_FIELDS.map((name) => (
              <label key={name} className="pz-field">
                {t(`export_field_${name}` as MessageKey)}
                <input
                  name={name}
                  value={header[name] ?? ''}
                  onChange={(e) => setHeader({ ...header, [name]: e.target.value })}
                />
              </label>
            ))}
            <label className="pz-field">
              {t('export_field_copies')}
              <input name="copies" type="number" min={1} value={copies} onChange={(e) => setCopies(e.target.value)} />
            </label>
          </div>
          <p className="pz-muted pz-small">{t('export_header_remembered')}</p>
        </fieldset>

        <fieldset className="pz-fieldset">
          <legend>{t('export_format')}</legend>
          <div className="pz-row" role="radiogroup" aria-label={t('export_format')}>
            {BRIEFING_FORMATS.map((f) => (
              <label key={f} className="pz-check">
                <input type="radio" name="format" value={f} checked={format === f} onChange={() => setFormat(f)} />
                {t(`export_format_${f}` as MessageKey)}
              </label>
            ))}
          </div>
        </fieldset>

        {state.kind === 'error' && <Notice kind="error">{state.message}</Notice>}
        {state.kind === 'done' && (
          <Notice kind="success">{t(state.opened ? 'export_opened' : 'export_done', state.filename)}</Notice>
        )}
        <div className="pz-row pz-modal-actions">
          <button type="button" onClick={onClose}>
            {t('card_close')}
          </button>
          <button type="submit" className="pz-primary" disabled={state.kind === 'busy'} data-export="briefing">
            {state.kind === 'busy' ? t('export_busy') : t('export_submit')}
          </button>
        </div>
      </form>
    </div>
  );
}

/** A checklist of the documents in the store, by title. */
/** Documents offered to choose from: the most recently annotated ones. */
const CHOOSER_LIMIT = 500;

function DocumentChooser({
  list,
  chosen,
  onChange,
}: {
  list: (limit: number) => Promise<DocumentInfo[]>;
  chosen: ReadonlySet<string>;
  onChange: (next: ReadonlySet<string>) => void;
}) {
  const [documents, setDocuments] = useState<DocumentInfo[] | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per opening, the list is a snapshot like the rest of the dialog
  useEffect(() => {
    let live = true;
    void list(CHOOSER_LIMIT).then(
      (rows) =>
        live && setDocuments(rows.sort((a, b) => (a.title || a.canonicalUrl).localeCompare(b.title || b.canonicalUrl))),
    );
    return () => {
      live = false;
    };
  }, []);
  const toggle = (key: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(key);
    else next.delete(key);
    onChange(next);
  };
  return (
    <fieldset className="pz-fieldset pz-document-chooser" data-export="documents">
      <legend className="pz-visually-hidden">{t('export_choose_documents')}</legend>
      {documents?.map((document) => (
        <label key={document.key} className="pz-check" title={document.canonicalUrl}>
          <input
            type="checkbox"
            name="document"
            value={document.key}
            checked={chosen.has(document.key)}
            onChange={(e) => toggle(document.key, e.target.checked)}
          />
          {document.title || document.canonicalUrl}
        </label>
      ))}
    </fieldset>
  );
}
