/**
 * Validates every message that reaches the background and dispatches it to the service. Anything that is not
 * a well-formed request from this extension is refused (`malformed_request`) and changes nothing. A refusal
 * travels as an error's code and params (errors.ts), worded by the page that asked.
 */
import { describeIssues } from '../../../shared/model/annotation.ts';
import { errorInfo, PizhuError } from '../errors.ts';
import { requestSchema, type Request, type Response } from '../messages.ts';
import type { PizhuService } from './service.ts';
import { dispatchTask } from './tasks.ts';

export async function handleRequest(service: PizhuService, raw: unknown): Promise<Response> {
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = describeIssues(parsed.error).join('; ');
    return { ok: false, error: errorInfo(new PizhuError('malformed_request', { detail }, detail)) };
  }
  try {
    return { ok: true, value: await dispatch(service, parsed.data) };
  } catch (error) {
    return { ok: false, error: errorInfo(error) };
  }
}

function dispatch(service: PizhuService, request: Request): Promise<unknown> | unknown {
  switch (request.type) {
    case 'annotations.list':
      return service.list(request.documentKey);
    case 'annotation.create':
      return service.create(request.annotation, request.document);
    case 'annotation.update':
      return service.update(request.id, request.patch);
    case 'annotation.delete':
      return service.setDeleted(request.id, true);
    case 'annotation.restore':
      return service.setDeleted(request.id, false);
    case 'settings.get':
      return service.settings();
    case 'settings.update':
      return service.updatePreferences(request.patch);
    case 'team.join':
      return service.join(request.serverUrl, request.inviteCode, request.displayName);
    case 'team.leave':
      return service.leave(request.removeTeamData);
    case 'sync.status':
      return service.syncStatus();
    case 'sync.now':
      return service.syncNow();
    case 'tags.rename':
      return service.mergeTags([request.from], request.to);
    case 'tags.merge':
      return service.mergeTags(request.from, request.to);
    case 'tags.list':
      return service.tagLibrary();
    case 'units.change':
      return service.changeUnits(request.change);
    case 'backup.export':
      return service.exportBackup();
    case 'backup.import':
      return service.importBackup(request.json);
    case 'tasks.context':
    case 'tasks.create':
    case 'task.update':
    case 'task.progress':
      return dispatchTask(service.tasks, request);
    case 'snapshot.keep':
      return service.versions.keep(request.documentKey, request.snapshot, request.bodyHash);
    case 'compare.carry':
      return service.versions.carry(request.items);
    case 'compare.open':
      return service.openComparison(request.documentKey);
    default: {
      const unhandled: never = request;
      throw new PizhuError('unknown_request', { type: String((unhandled as { type: string }).type) });
    }
  }
}
