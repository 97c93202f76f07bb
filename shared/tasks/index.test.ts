import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tasks from './index.ts';

/** Packages a module pulls in when it is imported: static imports only, followed through relative files. */
function eagerPackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(?:import|export)\s(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(resolve(import.meta.dirname, entry));
  return packages;
}

describe('shared/tasks entry', () => {
  it('loads neither exceljs nor docx until a file in those formats is rendered', () => {
    const packages = eagerPackages('index.ts');
    expect(packages.has('zod')).toBe(true);
    expect(packages.has('exceljs')).toBe(false);
    expect(packages.has('docx')).toBe(false);
    const render = readFileSync(resolve(import.meta.dirname, 'render.ts'), 'utf8');
    expect(render).toMatch(/import\('\.\/render-xlsx\.ts'\)/);
  });

  it('offers the interface of issue 18', () => {
    expect(typeof tasks.extractTaskHints).toBe('function');
    expect(typeof tasks.renderTaskTable).toBe('function');
    expect(typeof tasks.renderProgressReport).toBe('function');
    expect(tasks.TABLE_FORMATS).toEqual(['xlsx', 'docx', 'csv']);
  });

  it('names files without characters file systems refuse', () => {
    expect(tasks.taskFileName('2023年工作要点/任务分解表: 第1版', 'xlsx')).toBe('2023年工作要点_任务分解表_第1版.xlsx');
    expect(tasks.taskFileName('..\u202E', 'csv')).toBe('tasks.csv');
  });
});
