import { Type, type Static } from 'typebox';
import { FindFilter } from '../callbacks/desk-search-schemas.js';
import { EXPORT_FORMATS } from '../vocabulary.js';

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
