/** A settings.update request carries only the fields it changes: no defaults may creep in and reset the others. */
import { describe, expect, it } from 'vitest';
import { requestSchema } from '../../../extension/lib/messages.ts';

describe('settings.update', () => {
  it('keeps a one-field patch to that field', () => {
    const parsed = requestSchema.parse({ type: 'settings.update', patch: { displayName: '王芳' } });
    expect(parsed).toEqual({ type: 'settings.update', patch: { displayName: '王芳' } });
  });

  it('refuses values outside the allowed ones', () => {
    expect(requestSchema.safeParse({ type: 'settings.update', patch: { defaultColor: 'red' } }).success).toBe(false);
    expect(requestSchema.safeParse({ type: 'settings.update', patch: { language: 'fr' } }).success).toBe(false);
  });
});
