/** The outcome of an action under a form: errors are announced at once (alert), successes politely (status). */
import type { ReactNode } from 'react';

export function Notice({ kind, children }: { kind: 'error' | 'success'; children: ReactNode }) {
  return (
    <p className={kind === 'error' ? 'pz-error' : 'pz-success'} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}
