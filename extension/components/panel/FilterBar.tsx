/** Filters for the page's annotations: text search, tag, author, colour and visibility. */
import { COLORS, type Color } from '../../../shared/model/annotation.ts';
import { t } from '../../lib/i18n.ts';
import { HIGHLIGHT_SWATCHES } from '../common/colors.ts';
import { FilterSelect, visibilityChoices } from '../common/Select.tsx';
import { isFiltering, NO_FILTERS, type Filters } from './filtering.ts';

export function FilterBar({
  filters,
  onChange,
  tags,
  authors,
}: {
  filters: Filters;
  onChange: (filters: Filters) => void;
  tags: [string, number][];
  authors: { id: string; name: string }[];
}) {
  const toggleColor = (color: Color) =>
    onChange({
      ...filters,
      colors: filters.colors.includes(color) ? filters.colors.filter((c) => c !== color) : [...filters.colors, color],
    });
  return (
    // biome-ignore lint/a11y/useSemanticElements: the search landmark around several filter fields
    <div className="pz-filters" role="search" aria-label={t('panel_filters')}>
      <input
        type="search"
        className="pz-search"
        aria-label={t('panel_search')}
        placeholder={t('panel_search')}
        value={filters.text}
        onChange={(e) => onChange({ ...filters, text: e.target.value })}
      />
      <div className="pz-row">
        <FilterSelect
          aria-label={t('panel_filter_tag')}
          name="filterTag"
          allLabel={t('panel_all_tags')}
          choices={tags.map(([tag, count]) => ({ value: tag, label: `${tag} (${count})` }))}
          value={filters.tag}
          onChange={(tag) => onChange({ ...filters, tag })}
        />
        <FilterSelect
          aria-label={t('panel_filter_author')}
          name="filterAuthor"
          allLabel={t('panel_all_authors')}
          choices={authors.map((author) => ({ value: author.id, label: author.name }))}
          value={filters.author}
          onChange={(author) => onChange({ ...filters, author })}
        />
        <FilterSelect
          aria-label={t('visibility_label')}
          name="filterVisibility"
          allLabel={t('panel_all_visibility')}
          choices={visibilityChoices()}
          value={filters.visibility}
          onChange={(visibility) => onChange({ ...filters, visibility })}
        />
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a row of toggle buttons labelled as one group */}
      <div className="pz-row" role="group" aria-label={t('panel_filter_color')}>
        {COLORS.map((color) => (
          <button
            key={color}
            type="button"
            className={`pz-swatch${filters.colors.includes(color) ? ' pz-active' : ''}`}
            style={{ background: HIGHLIGHT_SWATCHES[color] }}
            aria-label={t(`color_${color}`)}
            aria-pressed={filters.colors.includes(color)}
            data-color={color}
            onClick={() => toggleColor(color)}
          />
        ))}
        {isFiltering(filters) && (
          <button type="button" className="pz-link" onClick={() => onChange(NO_FILTERS)}>
            {t('panel_clear_filters')}
          </button>
        )}
      </div>
    </div>
  );
}
