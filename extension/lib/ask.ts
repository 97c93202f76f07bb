/**
 * Asks the background (which owns the store and sync) and unwraps its `{ ok, value | error }` answer; a refusal
 * is thrown as a PizhuError with the background's code and params, for the page to word (i18n.ts `errorText`).
 */
import { browser } from 'wxt/browser';
import { PizhuError } from './errors.ts';
import type { RequestInput, Response } from './messages.ts';

export async function ask<T>(request: RequestInput): Promise<T> {
  const response = (await browser.runtime.sendMessage(request)) as Response<T> | undefined;
  if (!response) throw new PizhuError('background_unreachable');
  if (!response.ok) throw PizhuError.from(response.error);
  return response.value;
}
