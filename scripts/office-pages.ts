/**
 * Office files to PDF and PNG pages with LibreOffice and poppler-utils, to look at what a user would see
 * (`npm run check:briefing`). Writer renders DOCX; XLSX needs Calc (libreoffice-calc-nogui).
 *
 * LibreOffice ignores the fallbacks declared in a DOCX font table (shared/briefing/docx-fonts.ts), so the
 * conversion runs with a fontconfig file that maps the official font names to the free Noto CJK faces, closer
 * to what an official sees than fontconfig's default (a sans face for everything).
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export function has(command: string): boolean {
  return spawnSync('which', [command], { encoding: 'utf8' }).status === 0;
}

/** Official font names → the free faces fonts-noto-cjk installs (Kai and Fangsong have no free stand-in there). */
const STAND_INS: Record<string, string> = {
  仿宋_GB2312: 'Noto Serif CJK SC',
  仿宋: 'Noto Serif CJK SC',
  FangSong: 'Noto Serif CJK SC',
  楷体_GB2312: 'Noto Serif CJK SC',
  楷体: 'Noto Serif CJK SC',
  KaiTi: 'Noto Serif CJK SC',
  方正小标宋简体: 'Noto Serif CJK SC',
  华文中宋: 'Noto Serif CJK SC',
  宋体: 'Noto Serif CJK SC',
  SimSun: 'Noto Serif CJK SC',
  黑体: 'Noto Sans CJK SC',
  SimHei: 'Noto Sans CJK SC',
};

/** Writes the fontconfig file (outDir/.fonts.conf) for FONTCONFIG_FILE and returns its path. */
export function fontconfigFile(outDir: string): string {
  const aliases = Object.entries(STAND_INS).map(
    ([name, face]) =>
      `  <alias binding="same"><family>${name}</family><prefer><family>${face}</family></prefer></alias>`,
  );
  const file = join(outDir, '.fonts.conf');
  writeFileSync(
    file,
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
      '<fontconfig>',
      '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
      ...aliases,
      '</fontconfig>',
      '',
    ].join('\n'),
  );
  return file;
}

export const canConvert = has('soffice') && has('pdftoppm');

/** Converts each file to `<name>.pdf` and `<name>-page-N.png` in outDir; false (and a message) when one fails. */
export function convertToPages(outDir: string, files: string[]): boolean {
  const profile = join(outDir, '.lo-profile');
  const env = { ...process.env, FONTCONFIG_FILE: fontconfigFile(outDir) };
  let ok = true;
  for (const file of files) {
    const converted = spawnSync(
      'soffice',
      [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', outDir, file],
      { encoding: 'utf8', timeout: 120_000, env },
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
  rmSync(join(outDir, '.fonts.conf'), { force: true });
  return ok;
}

export function printMissingTools(): void {
  console.log('\nLibreOffice (soffice) or pdftoppm is missing: no PDF or PNG pages. On Debian:');
  console.log('  sudo apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-noto-cjk');
}
