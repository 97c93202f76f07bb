/**
 * Office files to PDF and PNG pages with LibreOffice and poppler-utils, to look at what a user would see
 * (`npm run check:briefing`). Writer renders DOCX; XLSX needs Calc (libreoffice-calc-nogui).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';

export function has(command: string): boolean {
  return spawnSync('which', [command], { encoding: 'utf8' }).status === 0;
}

export const canConvert = has('soffice') && has('pdftoppm');

/** Converts each file to `<name>.pdf` and `<name>-page-N.png` in outDir; false (and a message) when one fails. */
export function convertToPages(outDir: string, files: string[]): boolean {
  const profile = join(outDir, '.lo-profile');
  let ok = true;
  for (const file of files) {
    const converted = spawnSync(
      'soffice',
      [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', outDir, file],
      { encoding: 'utf8', timeout: 120_000 },
    );
    const name = basename(file).replace(/\.[^.]+$/, '');
    if (converted.status !== 0 || !/->/.test(converted.stdout)) {
      console.error(`LibreOffice could not convert ${basename(file)}:`, converted.stderr || converted.stdout);
      if (file.endsWith('.xlsx')) console.error('  (XLSX needs Calc: sudo apt-get install -y libreoffice-calc-nogui)');
      ok = false;
      continue;
    }
    spawnSync('pdftoppm', ['-png', '-r', '80', join(outDir, `${name}.pdf`), join(outDir, `${name}-page`)]);
  }
  rmSync(profile, { recursive: true, force: true });
  return ok;
}

export function printMissingTools(): void {
  console.log('\nLibreOffice (soffice) or pdftoppm is missing: no PDF or PNG pages. On Debian:');
  console.log('  sudo apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-noto-cjk');
}
