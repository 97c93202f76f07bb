/**
 * The task requests the page and the side panel send the background (part of messages.ts' contract, validated
 * the same way on arrival). Units travel as the names the user typed or picked: the background resolves them
 * to the team's units (shared/tasks unitIdsForNames).
 */
import { z } from 'zod';
import { carriedFromSchema, documentInfoSchema, idSchema, LIMITS } from '../../shared/model/annotation.ts';
import {
  clauseRefSchema,
  dueDateSchema,
  type LiveUnit,
  type ProgressEntry,
  TASK_LIMITS,
  TASK_STATUSES,
  type TaskRecord,
} from '../../shared/tasks/model.ts';
import type { CarryResult } from './compare-messages.ts';
import { type Contract, request } from './contract.ts';

const unitNames = z.array(z.string().max(TASK_LIMITS.unitNameChars * 2)).max(TASK_LIMITS.unitsPerTask);

export const taskDraftSchema = z.object({
  clause: clauseRefSchema,
  task: z.string().max(TASK_LIMITS.taskChars),
  leadUnits: unitNames.default([]),
  units: unitNames.default([]),
  leader: z.string().max(TASK_LIMITS.leaderChars).optional(),
  due: dueDateSchema.nullable().default(null),
  requirement: z.string().max(TASK_LIMITS.requirementChars).optional(),
  status: z.enum(TASK_STATUSES).default('todo'),
});
export type TaskDraft = z.input<typeof taskDraftSchema>;

export const taskPatchSchema = z
  .object({
    task: z.string().max(TASK_LIMITS.taskChars),
    leadUnits: unitNames,
    units: unitNames,
    leader: z.string().max(TASK_LIMITS.leaderChars),
    due: dueDateSchema.nullable(),
    requirement: z.string().max(TASK_LIMITS.requirementChars),
    status: z.enum(TASK_STATUSES),
    deleted: z.boolean(),
  })
  .partial();
export type TaskPatch = z.infer<typeof taskPatchSchema>;

/** A section at once is a few dozen items; a whole law a few hundred articles. */
export const MAX_DRAFTS = 500;

/** A task of an earlier version carried to the paired clause of the new one (the comparison page's "沿用到新版"). */
const taskCarrySchema = z.object({
  /** The task carried over and its document. */
  from: carriedFromSchema,
  /** The new version's clause, as the comparison page read it from that version's snapshot. */
  clause: clauseRefSchema,
});
export type TaskCarry = z.infer<typeof taskCarrySchema>;

export const TASK_REQUESTS = {
  /** What the task forms need: may this member create tasks, their unit, the team's unit names. */
  'tasks.context': request({}).answers<TaskContext>(),
  /** Answers the new tasks' ids. */
  'tasks.create': request({
    document: documentInfoSchema,
    drafts: z.array(taskDraftSchema).min(1).max(MAX_DRAFTS),
  }).answers<string[]>(),
  /** Carries tasks over to a new version's document; a task already carried there is skipped. */
  'tasks.carry': request({
    documentKey: idSchema,
    items: z.array(taskCarrySchema).min(1).max(MAX_DRAFTS),
  }).answers<CarryResult<TaskRecord>>(),
  'task.update': request({ documentKey: idSchema, id: idSchema, patch: taskPatchSchema }).answers<TaskRecord>(),
  'task.progress': request({
    documentKey: idSchema,
    taskId: idSchema,
    text: z.string().max(TASK_LIMITS.progressChars),
    link: z.string().max(LIMITS.urlChars).optional(),
  }).answers<ProgressEntry>(),
} as const satisfies Contract;

/** The answer to `tasks.context`. */
export type TaskContext = {
  joined: boolean;
  role: 'owner' | 'editor' | 'viewer' | null;
  memberId: string | null;
  /** The unit the team's owner gave this member (viewers of a unit report progress on its tasks). */
  unit: { id: string; name: string } | null;
  canCreate: boolean;
  /**
   * The team's live units to suggest (not merged away, not deleted), by name in Chinese collation, each with the
   * names it was known by: a former name a clause's text uses reads as the unit's name now.
   */
  units: LiveUnit[];
};
