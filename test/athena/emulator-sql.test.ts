import { describe, expect, it } from 'vitest';
import { trinoColumnNames } from '../../src/emulators/athena/column-names.js';
import { findTableRefs } from '../../src/emulators/athena/table-refs.js';

describe('Athena emulator: reading the SQL it is sent', () => {
  it('names result columns as Trino does: alias, reference name, else _colN', () => {
    expect(trinoColumnNames(`SELECT count(*), eventname, t.useridentity.arn, coalesce(errorcode, 'Success') AS response, 1 x, "$path" FROM t`)).toEqual([
      '_col0',
      'eventname',
      'arn',
      'response',
      'x',
      '$path',
    ]);
    expect(trinoColumnNames(`WITH a AS (SELECT 1 AS q) SELECT * , CASE WHEN q = 1 THEN 'a' END FROM a`)).toEqual([null, '_col1']);
  });

  it('finds table references and the WHERE conjuncts that prune partitions, and only those', () => {
    const sql = `WITH w AS (SELECT * FROM ct.logs c WHERE c.account IN ('1', '2') AND (region = 'us-east-1' OR eventname = 'X')
        AND delivery_date BETWEEN '2024/03/01' AND '2024/03/03' AND eventtime >= '2024-03-01T05:00:00Z')
      SELECT count(*) FROM w JOIN logs ON true WHERE delivery_date = '2024/03/02'`;
    const refs = findTableRefs(sql, 'ct', (db, t) => db === 'ct' && t === 'logs', () => ['account', 'region', 'delivery_date']);
    expect(refs.map((r) => sql.slice(r.start, r.end))).toEqual(['ct.logs', 'logs']);
    expect(refs[0].partitionConjuncts).toEqual([`"account" IN ('1', '2')`, `"delivery_date" BETWEEN '2024/03/01' AND '2024/03/03'`]);
    expect(refs[1].partitionConjuncts).toEqual([`"delivery_date" = '2024/03/02'`]);
  });
});
