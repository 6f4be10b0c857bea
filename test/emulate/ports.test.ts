import { blockedSpans, boundarySourcePorts, spanText } from '../../src/emulate/ports';
import { EmuNacl } from '../../src/emulate/topology';

const ANY = { cidr: '0.0.0.0/0', first: 0, last: 2 ** 32 - 1, prefix: 0 };

function acl(entries: Array<[number, number, number]>): EmuNacl {
  return { id: 'a', name: 'a', entries: entries.map(([rule, p0, p1]) => ({ ruleNumber: rule, egress: true, protocol: 6, p0, p1, cidr: ANY, allow: true })) };
}

describe('boundarySourcePorts', () => {
  test('no NACL entry inside the range: both ends of the range', () => {
    expect(boundarySourcePorts(32768, 60999, [acl([[100, 443, 443]])])).toEqual([32768, 60999]);
  });

  test('an entry that cuts the range: its first port and the port after its last', () => {
    expect(boundarySourcePorts(1024, 65535, [acl([[100, 49152, 65535]])])).toEqual([1024, 49152, 65535]);
    expect(boundarySourcePorts(1024, 65535, [acl([[100, 5432, 5432]])])).toEqual([1024, 5432, 5433, 65535]);
  });

  test('entries of every NACL on the path count, each boundary once', () => {
    expect(boundarySourcePorts(32768, 60999, [acl([[100, 40000, 50000]]), acl([[100, 40000, 45000]])])).toEqual([32768, 40000, 45001, 50001, 60999]);
  });

  test('entries for all protocols (no ports) do not cut the range', () => {
    const all: EmuNacl = { id: 'b', name: 'b', entries: [{ ruleNumber: 100, egress: true, protocol: -1, p0: 0, p1: 65535, cidr: ANY, allow: true }] };
    expect(boundarySourcePorts(1024, 65535, [all])).toEqual([1024, 65535]);
  });
});

describe('blockedSpans', () => {
  test('names the blocked sub-range exactly', () => {
    const results = new Map([[32768, false], [49152, true], [60999, true]]);
    expect(blockedSpans(32768, 60999, results).map(spanText)).toEqual(['32768-49151']);
  });

  test('merges adjacent blocked spans and keeps the last port on its own', () => {
    const results = new Map([[1024, false], [5432, false], [5433, true], [65535, false]]);
    expect(blockedSpans(1024, 65535, results).map(spanText)).toEqual(['1024-5432', '65535']);
  });

  test('nothing blocked: no span', () => {
    expect(blockedSpans(1024, 65535, new Map([[1024, true], [65535, true]]))).toEqual([]);
  });
});
