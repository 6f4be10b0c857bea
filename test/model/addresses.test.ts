import { containsRange, isWholeFamily, parseCidr } from '../../src/model/addresses';

describe('CIDR parsing used by the rules', () => {
  test.each([
    ['0.0.0.0/0', 4, 0n, 2n ** 32n - 1n],
    ['10.0.64.0/18', 4, 167788544n, 167788544n + 2n ** 14n - 1n],
    ['10.0.0.5/32', 4, 167772165n, 167772165n],
    ['10.0.1.7/24', 4, 167772416n, 167772416n + 255n], // host bits are ignored, like AWS does for a network address
    ['::/0', 6, 0n, 2n ** 128n - 1n],
    ['2001:db8::/32', 6, 0x20010db8n * 2n ** 96n, 0x20010db8n * 2n ** 96n + 2n ** 96n - 1n],
    ['::1/128', 6, 1n, 1n],
  ])('%s', (cidr, family, lo, hi) => {
    expect(parseCidr(cidr)).toEqual({ family, lo, hi });
  });

  test.each(['10.0.0.0', '10.0.0.256/24', '10.0.0.0/33', '1:2:3:4:5:6:7:8:9/64', '1::2::3/64', 'fe80::g/64', '${Token[TOKEN.12]}', ''])(
    'rejects %p', (cidr) => {
      expect(parseCidr(cidr)).toBeUndefined();
    });

  test('whole families and containment', () => {
    expect(isWholeFamily(parseCidr('0.0.0.0/0')!)).toBe(true);
    expect(isWholeFamily(parseCidr('0.0.0.0/1')!)).toBe(false);
    expect(containsRange(parseCidr('10.0.0.0/16')!, parseCidr('10.0.128.0/18')!)).toBe(true);
    expect(containsRange(parseCidr('10.0.0.0/16')!, parseCidr('10.0.0.0/8')!)).toBe(false);
    expect(containsRange(parseCidr('::/0')!, parseCidr('10.0.0.0/8')!)).toBe(false);
  });
});
