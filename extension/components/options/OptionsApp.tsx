/**
 * The options page: the team (the membership once joined: team, role, server, leave; else the join form), how
 * new highlights start (colour, visibility), the name shown to colleagues, keyboard shortcuts, language, and the
 * sites Pizhu may read.
 */
import { useEffect, useState } from 'react';
import { COLORS, type Color } from '../../../shared/model/annotation.ts';
import { ask } from '../../lib/ask.ts';
import type { LeaveSummary } from '../../lib/background/service.ts';
import { errorText, setLanguage, t, type Language, type MessageKey } from '../../lib/i18n.ts';
import type { Preferences } from '../../lib/messages.ts';
import { AuthorBadge } from '../common/Author.tsx';
import { Notice } from '../common/Notice.tsx';
import { ChoiceSelect, choicesOf, visibilityChoices } from '../common/Select.tsx';
import { SyncBadge } from '../common/SyncBadge.tsx';
import { SyncNotice } from '../common/SyncNotice.tsx';
import { useSettings } from '../common/useSettings.ts';
import { Backup } from './Backup.tsx';
import { JoinTeam } from './JoinTeam.tsx';
import { Shortcuts } from './Shortcuts.tsx';
import { Sites } from './Sites.tsx';
import { HIGHLIGHT_SWATCHES } from '../common/colors.ts';

const LANGUAGES: Language[] = ['auto', 'zh_CN', 'en'];

export function OptionsApp() {
  const { settings, error, reload } = useSettings(3_000);
  const [saved, setSaved] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  // What the last join or leave did, shown in the team section.
  const [teamNotice, setTeamNotice] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  // Shown at once while the background saves; the next settings read replaces it.
  const [pending, setPending] = useState<Partial<Preferences>>({});
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new settings read replaces what was pending
  useEffect(() => setPending({}), [settings]);

  const save = async (patch: Partial<Preferences>) => {
    setSaveError(null);
    setPending((current) => ({ ...current, ...patch }));
    try {
      await ask<Preferences>({ type: 'settings.update', patch });
      if (patch.language) {
        setLanguage(patch.language);
        document.documentElement.lang = patch.language === 'en' ? 'en' : 'zh-CN';
      }
      setSaved(t('options_saved'));
      reload();
    } catch (e) {
      setSaveError(errorText(e));
    }
  };

  // The server revokes this browser's token; every annotation stays here.
  const leave = async () => {
    if (!window.confirm(t('options_leave_confirm'))) return;
    try {
      const left = await ask<LeaveSummary>({ type: 'team.leave', removeTeamData: false });
      setTeamNotice({ kind: 'success', text: t(left.tokenRevoked ? 'options_left' : 'options_left_token_kept') });
    } catch (e) {
      setTeamNotice({ kind: 'error', text: errorText(e) });
    }
    reload();
  };

  if (!settings) {
    return (
      <main className="pz-page">
        <h1>{t('options_title')}</h1>
        {error ? (
          <p className="pz-error" role="alert">
            {error}
          </p>
        ) : (
          <p className="pz-muted">{t('loading')}</p>
        )}
      </main>
    );
  }
  const preferences = { ...settings.preferences, ...pending };

  return (
    <main className="pz-page pz-options">
      <h1>{t('options_title')}</h1>

      <section aria-labelledby="team-title" className="pz-card-section">
        <h2 id="team-title">{t('options_team')}</h2>
        {settings.team ? (
          <div data-testid="membership">
            <dl className="pz-facts">
              <dt>{t('options_team_name')}</dt>
              <dd data-testid="team-name">{settings.team.teamName}</dd>
              <dt>{t('options_display_name')}</dt>
              <dd className="pz-row">
                <AuthorBadge id={settings.team.memberId} name={settings.team.displayName} size={20} />
                {settings.team.displayName}
              </dd>
              <dt>{t('options_role')}</dt>
              <dd data-testid="team-role">{t(`role_${settings.team.role}`)}</dd>
              <dt>{t('options_server')}</dt>
              <dd data-testid="team-server">{settings.team.serverUrl}</dd>
              <dt>{t('options_sync')}</dt>
              <dd>
                <SyncBadge status={settings.status} />
              </dd>
            </dl>
            <SyncNotice status={settings.status} onReconnected={reload} />
            <p>
              <button type="button" data-testid="leave-team" onClick={() => void leave()}>
                {t('options_leave')}
              </button>
            </p>
          </div>
        ) : (
          <>
            <p className="pz-muted" data-testid="no-team">
              {t('options_no_team')}
            </p>
            <JoinTeam
              onJoined={(team) => {
                setTeamNotice({ kind: 'success', text: t('join_done', team.teamName) });
                reload();
              }}
              initialName={preferences.displayName ?? ''}
            />
          </>
        )}
        {teamNotice && <Notice kind={teamNotice.kind}>{teamNotice.text}</Notice>}
      </section>

      <section aria-labelledby="defaults-title" className="pz-card-section">
        <h2 id="defaults-title">{t('options_defaults')}</h2>
        <DisplayName value={preferences.displayName ?? ''} onSave={(displayName) => void save({ displayName })} />
        <fieldset className="pz-fieldset">
          <legend>{t('options_default_color')}</legend>
          <div className="pz-row" role="radiogroup" aria-label={t('options_default_color')}>
            {COLORS.map((color: Color) => (
              <label key={color} className="pz-swatch-label">
                <input
                  type="radio"
                  name="defaultColor"
                  value={color}
                  checked={preferences.defaultColor === color}
                  onChange={() => void save({ defaultColor: color })}
                />
                <span className="pz-swatch" style={{ background: HIGHLIGHT_SWATCHES[color] }} aria-hidden="true" />
                {t(`color_${color}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <label className="pz-inline-label">
          {t('options_default_visibility')}
          <ChoiceSelect
            name="defaultVisibility"
            choices={visibilityChoices()}
            value={preferences.defaultVisibility}
            onChange={(defaultVisibility) => void save({ defaultVisibility })}
          />
        </label>
        {!settings.team && <p className="pz-muted pz-small">{t('options_private_until_team')}</p>}
      </section>

      <section aria-labelledby="language-title" className="pz-card-section">
        <h2 id="language-title">{t('options_language')}</h2>
        <ChoiceSelect
          name="language"
          aria-labelledby="language-title"
          choices={choicesOf(LANGUAGES, (language) => t(`language_${language}` as MessageKey))}
          value={preferences.language}
          onChange={(language) => void save({ language })}
        />
      </section>

      <Backup />
      <Shortcuts />
      <Sites preferences={preferences} onChange={(disabledSites) => void save({ disabledSites })} />

      <div className="pz-status-line" aria-live="polite">
        {saveError ? (
          <span className="pz-error" role="alert">
            {saveError}
          </span>
        ) : (
          saved && <span className="pz-success">{saved}</span>
        )}
      </div>
    </main>
  );
}

function DisplayName({ value, onSave }: { value: string; onSave: (name: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const submit = () => {
    if (draft.trim() && draft.trim() !== value) onSave(draft.trim());
  };
  // Not a <form>: the join form stays the page's only submit button.
  return (
    <div className="pz-inline-form">
      <label className="pz-inline-label">
        {t('options_display_name')}
        <input
          name="preferredName"
          value={draft}
          maxLength={100}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.nativeEvent.isComposing) submit();
          }}
        />
      </label>
      <button type="button" disabled={!draft.trim() || draft.trim() === value} onClick={submit}>
        {t('save')}
      </button>
    </div>
  );
}
