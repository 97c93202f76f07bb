/** The note box of a highlight, alike where a highlight is made (the toolbar) and where it is edited (its card). */
import type { TextareaHTMLAttributes } from 'react';
import { t } from '../../lib/i18n.ts';

type NoteFieldProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'className' | 'aria-label' | 'placeholder'>;

export function NoteField(props: NoteFieldProps) {
  return (
    <textarea
      className="pz-note"
      aria-label={t('toolbar_note')}
      placeholder={t('toolbar_note_placeholder')}
      {...props}
    />
  );
}
