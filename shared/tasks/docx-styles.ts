/** Word styles of the task table and the progress report: the briefing's GB/T 9704 styles plus table text at 五号. */
import { AlignmentType, LineRuleType } from 'docx';
import { FONT } from '../briefing/docx-fonts.ts';
import { documentStyles, font } from '../briefing/docx-layout.ts';

/** 五号 (10.5 pt): nine or ten columns across a landscape page leave a Chinese line of ~18 characters for the task. */
export const CELL_SIZE = 21;

/** The table's cell text and header styles, beside the briefing's (one place for their look, not every run). */
export function withTaskTableStyles(zh: boolean) {
  const styles = documentStyles(zh);
  const paragraph = {
    spacing: { line: 240, lineRule: LineRuleType.AUTO, before: 0, after: 0 },
    indent: { firstLine: 0 },
  };
  return {
    ...styles,
    paragraphStyles: [
      ...styles.paragraphStyles,
      {
        id: 'TaskTableText',
        name: 'Task Table Text',
        basedOn: 'Normal',
        run: { font: font(zh ? FONT.fangsong : FONT.latin), size: CELL_SIZE },
        paragraph: { ...paragraph, alignment: AlignmentType.LEFT },
      },
      {
        id: 'TaskTableCentred',
        name: 'Task Table Text Centred',
        basedOn: 'TaskTableText',
        paragraph: { alignment: AlignmentType.CENTER },
      },
      {
        id: 'TaskTableHead',
        name: 'Task Table Heading',
        basedOn: 'Normal',
        run: { font: font(zh ? FONT.heiti : FONT.latin), size: CELL_SIZE, bold: !zh },
        paragraph: { ...paragraph, alignment: AlignmentType.CENTER },
      },
    ],
  };
}
