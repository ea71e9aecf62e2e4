import { Type, type Static } from 'typebox';
import { FindFilter } from '../callbacks/desk-search-schemas.js';
import { EXPORT_FORMATS } from '../vocabulary.js';
import { SummaryQuery } from './schemas.js';

export const ExportFormatParam = Type.Optional(
  Type.Enum(EXPORT_FORMATS, { default: 'csv', description: 'csv (RFC 4180, header row, spreadsheet formulas neutralised) or json (NDJSON: one object a line)' }),
);
export const ExportZoneParam = Type.Optional(
  Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of the local times (default UTC); the UTC columns stay UTC' }),
);

/** The desk's filter (the listing's and the search's parameters) and how to write the file. */
export const CallbackExportQuery = Type.Object(
  { ...FindFilter.properties, format: ExportFormatParam, timezone: ExportZoneParam },
  { additionalProperties: false },
);
export type CallbackExportQuery = Static<typeof CallbackExportQuery>;

/** The summary's query, and `format` to have it as a file (absent: the JSON answer). */
export const SummaryExportQuery = Type.Object(
  {
    ...SummaryQuery.properties,
    format: Type.Optional(
      Type.Enum(EXPORT_FORMATS, { description: 'Absent: the JSON answer. csv or json: the rows and the totals (last, group "total") as a CSV or NDJSON file, as the callback export writes them' }),
    ),
  },
  { additionalProperties: false },
);
