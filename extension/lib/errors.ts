/**
 * Errors as the extension's parts hand them to each other: a stable code and the values its message names,
 * worded only where a person reads it (i18n.ts `errorText`, from the _locales catalogues). The server's codes
 * are in shared/protocol/errors.ts; the extension's own are below. `detail` is text that came with the error
 * (the server's message, an exception's): logs show it, and the UI shows it for a code it does not know.
 * No browser APIs here: the background, the pages and the content script all use it.
 */
import { z } from 'zod';
import { TagRenameError } from '../../shared/model/tag-renames.ts';
import { API_ERRORS, type ErrorParams } from '../../shared/protocol/errors.ts';

export type { ErrorParams } from '../../shared/protocol/errors.ts';

/**
 * code → the names of its params, in the order of the catalogue's $P1$, $P2$… A code the server has too (such as
 * `internal`, `empty_tag`) is listed only there.
 */
export const CLIENT_ERRORS = {
  background_unreachable: [],
  malformed_request: ['detail'],
  no_side_panel: [],
  /** The server could not be reached (refused, no network). */
  unreachable: ['server'],
  timeout: ['server', 'seconds'],
  /** An error answer that is not Pizhu's error shape. */
  not_pizhu_server: ['server', 'status'],
  /** A success answer that fails the contract. */
  unexpected_answer: ['server'],
  /** A value that fails its schema (a note too long…); `detail` names the field. */
  invalid_input: ['detail'],
  bad_url: ['input'],
  url_scheme: [],
  url_extra: [],
  not_joined: [],
  invite_required: [],
  name_required: [],
  other_team_joined: ['team'],
  leave_unsent: ['pages'],
  page_mismatch: [],
  annotation_missing: [],
  cannot_make_private: [],
  join_to_share: [],
  owner_delete_only: [],
  author_only: [],
  viewer_cannot_edit: ['team'],
  /** A viewer renaming tags or changing the team's units. */
  viewer_cannot_edit_vocabulary: ['team'],
  annotation_no_team: [],
  annotation_other_team: [],
  not_a_backup: ['detail'],
  storage_full: [],
  storage_failed: [],
  preferences_unreadable: [],
  annotation_damaged: ['id'],
  room_update_invalid: ['room'],
  record_invalid: ['id'],
  record_id_taken: ['id'],
  updates_set_aside: ['count'],
  state_vector_invalid: ['room'],
  foreign_room: ['room'],
  /** A clause snapshot in a page room fails its schema; it is not kept. */
  snapshot_invalid: ['room'],
  /** Carrying annotations to a notice this browser has never opened. */
  document_unknown: [],
  /** Carrying an annotation that was deleted (or never was) to a new version. */
  carry_source_missing: [],
  /** Carrying a reply without the annotation it answers. */
  carry_reply_alone: [],
  /** Carrying a task to the notice it is already on (two versions of one address compared). */
  carry_same_document: [],
  /** The server no longer accepts this browser's token (401 on a request of a joined team). */
  token_rejected: ['team'],
  /** A room's socket closed for a reason that has no code of its own. */
  connection_lost: [],
  unknown_request: ['type'],
  /** Task requests (background/tasks.ts): worded by the task form and the 任务 tab. */
  task_not_joined: [],
  task_viewer: ['team'],
  task_missing: [],
  /** A viewer reporting progress on a task none of whose units is theirs. */
  task_not_your_unit: ['units'],
  unit_name_too_long: ['name', 'max'],
  too_many_units: ['max'],
  progress_link: [],
} as const satisfies Record<string, readonly string[]>;

export type ClientErrorCode = keyof typeof CLIENT_ERRORS;
export type ErrorCode = ClientErrorCode | keyof typeof API_ERRORS;

/** An error as it crosses the extension's boundaries (messages, the page port, the sync status). */
export const errorInfoSchema = z.object({
  code: z.string().max(64),
  params: z.record(z.string().max(64), z.union([z.string().max(500), z.number()])).optional(),
  detail: z.string().max(2_000).optional(),
});
export type ErrorInfo = z.infer<typeof errorInfoSchema>;

/** An error with a code: thrown anywhere in the extension, worded where it is shown. */
export class PizhuError extends Error {
  readonly params: ErrorParams;
  readonly detail: string | undefined;

  constructor(
    readonly code: string,
    params: ErrorParams = {},
    detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'PizhuError';
    this.params = params;
    this.detail = detail;
  }

  static from(info: ErrorInfo): PizhuError {
    return new PizhuError(info.code, info.params, info.detail);
  }
}

/** The text of any thrown value, for logs and for wrapping (never shown as is: see `errorText`). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Any thrown value as it crosses a boundary: its code and params, or `internal` with what it said. */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof PizhuError) return info(error.code, error.params, error.detail);
  if (!(error instanceof Error) && isErrorInfo(error)) return info(error.code, error.params, error.detail);
  // The shared model's errors: a record that fails its schema, a change of someone else's, a tag rename's target.
  if (error instanceof Error && error.name === 'ValidationError') {
    return info('invalid_input', { detail: error.message }, error.message);
  }
  if (error instanceof Error && error.name === 'NotAllowedError') return info('author_only', undefined, error.message);
  if (error instanceof TagRenameError) return info(error.code, error.params, undefined);
  return info('internal', undefined, errorMessage(error));
}

/** A code's params in catalogue order (empty for a code nobody declared). */
export function errorParamNames(code: string): readonly string[] {
  if (Object.hasOwn(CLIENT_ERRORS, code)) return CLIENT_ERRORS[code as ClientErrorCode];
  if (Object.hasOwn(API_ERRORS, code)) return API_ERRORS[code as keyof typeof API_ERRORS].params;
  return [];
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  return errorInfoSchema.safeParse(value).success;
}

/** Within the schema's bounds, whatever a server or an exception said. */
function info(code: string, params: ErrorParams | undefined, detail: string | undefined): ErrorInfo {
  const bounded = params
    ? Object.fromEntries(
        Object.entries(params)
          .slice(0, 16)
          .map(([name, value]) => [name.slice(0, 64), typeof value === 'string' ? value.slice(0, 500) : value]),
      )
    : undefined;
  return {
    code: code.slice(0, 64),
    ...(bounded && Object.keys(bounded).length ? { params: bounded } : {}),
    ...(detail ? { detail: detail.slice(0, 2_000) } : {}),
  };
}
