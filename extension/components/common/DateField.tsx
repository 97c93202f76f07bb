/**
 * A date field in the UI language's way, whatever the browser's locale: `<input type="date">` shows mm/dd/yyyy in
 * an American browser even when Pizhu speaks Chinese. The text field takes year-month-day (date-input.ts) and
 * the written-out date in the UI language is its description; the button opens the browser's calendar. The value
 * is ISO `YYYY-MM-DD`, '' when empty.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { currentLanguage, t } from '../../lib/i18n.ts';
import { Notice } from './Notice.tsx';
import { longDate, parseDateInput } from './date-input.ts';

type DateFieldProps = {
  name: string;
  label: string;
  value: string;
  onChange: (iso: string) => void;
  /** The calendar's first and last days (ISO); typing is not limited. */
  min?: string;
  max?: string;
};

export type Period = { from: string; to: string };

/** True when both ends are set and the period ends before it starts (typing is not limited by the calendars). */
export function isReversed(period: Period): boolean {
  return period.from !== '' && period.to !== '' && period.to < period.from;
}

/**
 * A period: its first and last day (ISO, '' when open), each a labelled date field named `names.from` and
 * `names.to`; each calendar stops at the other end of the period, and a typed end before the start is said.
 */
export function PeriodFields({
  className,
  names,
  labels,
  value,
  onChange,
}: {
  className: string;
  names: Period;
  labels: Period;
  value: Period;
  onChange: (period: Period) => void;
}) {
  return (
    <>
      {(['from', 'to'] as const).map((end) => (
        <LabelledDateField
          key={end}
          className={className}
          name={names[end]}
          label={labels[end]}
          value={value[end]}
          min={end === 'to' ? value.from || undefined : undefined}
          max={end === 'from' ? value.to || undefined : undefined}
          onChange={(day) => onChange({ ...value, [end]: day })}
        />
      ))}
      {isReversed(value) && <Notice kind="error">{t('period_reversed')}</Notice>}
    </>
  );
}

/** A date field with its label shown before it (the field itself is labelled for assistive technology). */
function LabelledDateField({ className, ...field }: DateFieldProps & { className: string }) {
  return (
    <div className={className}>
      <span aria-hidden="true">{field.label}</span>
      <DateField {...field} />
    </div>
  );
}

export function DateField({ name, label, value, onChange, min, max }: DateFieldProps) {
  const [draft, setDraft] = useState(value);
  const [invalid, setInvalid] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const hint = useId();
  useEffect(() => {
    setDraft(value);
    setInvalid(false);
  }, [value]);

  const commit = (text: string) => {
    const iso = parseDateInput(text);
    setInvalid(iso === null);
    if (iso === null) return;
    setDraft(iso);
    if (iso !== value) onChange(iso);
  };
  const openCalendar = () => {
    try {
      picker.current?.showPicker();
    } catch {
      picker.current?.focus();
    }
  };

  return (
    <span className="pz-date">
      <input
        name={name}
        aria-label={label}
        value={draft}
        placeholder={t('date_placeholder')}
        inputMode="numeric"
        autoComplete="off"
        aria-invalid={invalid}
        aria-describedby={hint}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={(e) => commit(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
            e.preventDefault();
            commit(e.currentTarget.value);
          }
        }}
      />
      <button
        type="button"
        className="pz-link"
        aria-label={t('date_pick')}
        title={t('date_pick')}
        onClick={openCalendar}
      >
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
          <rect x="1.5" y="3" width="13" height="11.5" rx="1.5" fill="none" stroke="currentColor" />
          <path d="M1.5 6.5h13M5 1.5v3M11 1.5v3" stroke="currentColor" />
        </svg>
      </button>
      <input
        ref={picker}
        type="date"
        className="pz-date-picker"
        tabIndex={-1}
        aria-hidden="true"
        value={value}
        min={min}
        max={max}
        onChange={(e) => onChange(e.target.value)}
      />
      <span id={hint} className={invalid ? 'pz-error pz-small' : 'pz-muted pz-small'} data-testid="date-hint">
        {invalid ? t('date_invalid') : value ? longDate(value, currentLanguage()) : ''}
      </span>
    </span>
  );
}
