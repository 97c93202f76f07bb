/** Asks the background (which owns the store and sync) and unwraps its `{ ok, value | error }` answer. */
import { browser } from 'wxt/browser';
import type { RequestInput, Response } from './messages.ts';

export async function ask<T>(request: RequestInput): Promise<T> {
  const response = (await browser.runtime.sendMessage(request)) as Response<T> | undefined;
  if (!response) throw new Error('Pizhu could not reach its background; reload the page');
  if (!response.ok) throw new Error(response.error);
  return response.value;
}
