/**
 * A strict RFC 4180 reader for tests: records end in CRLF, a quoted field may hold commas, CR, LF
 * and doubled quotes, an unquoted one none of those. Anything else throws, so a writer that breaks
 * the format fails the test that reads its output.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  if (text === '') return records;
  while (i < text.length) {
    const record: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new Error('unterminated quoted field');
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
            } else {
              i++;
              break;
            }
          } else field += text[i++];
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
          if (text[i] === '"') throw new Error(`a quote inside an unquoted field at ${i}`);
          field += text[i++];
        }
      }
      record.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text.startsWith('\r\n', i)) {
        i += 2;
        break;
      }
      throw new Error(`expected a comma or CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 10))}`);
    }
    records.push(record);
  }
  return records;
}

/** Records as objects keyed by the header row. */
export function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new Error('no header row');
  for (const r of rows) if (r.length !== header.length) throw new Error(`a record of ${r.length} fields under a header of ${header.length}`);
  return rows.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k]!])));
}
