import { describe, expect, it } from 'vitest';
import { formatTable } from './format-table.js';

describe('formatTable', () => {
  it('prints kubectl-style columns: upper-case headers, three spaces, <none>, no trailing spaces', () => {
    expect(
      formatTable(
        ['Name', 'Phase', 'Age'],
        [
          ['web', 'Ready', '5s'],
          ['a-longer-name', undefined, ''],
        ],
      ),
    ).toBe('NAME            PHASE    AGE\nweb             Ready    5s\na-longer-name   <none>   <none>\n');
  });

  it('prints only the header for no rows', () => {
    expect(formatTable(['ID', 'POOL'], [])).toBe('ID   POOL\n');
  });
});
