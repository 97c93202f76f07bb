/**
 * Asks the background (which owns the store and sync) and unwraps its `{ ok, value | error }` answer; a refusal
 * is thrown as a PizhuError with the background's code and params, for the page to word (i18n.ts `errorText`).
 * The answer's type follows from the request's `type` (messages.ts, REQUESTS).
 */
import { browser } from 'wxt/browser';
import { PizhuError } from './errors.ts';
import type { Answer, RequestInput, RequestType, Response } from './messages.ts';

export async function ask<K extends RequestType>(request: RequestInput<K>): Promise<Answer<K>> {
  const response = (await browser.runtime.sendMessage(request)) as Response<Answer<K>> | undefined;
  if (!response) throw new PizhuError('background_unreachable');
  if (!response.ok) throw PizhuError.from(response.error);
  return response.value;
}
