import { formatBytes, parseQuantity } from './quantity.js';
import { podRequests } from './scheduling.js';

describe('quantities', () => {
  it.each([
    ['500m', 0.5],
    ['2', 2],
    ['1Gi', 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['10G', 1e10],
    ['1e3', 1000],
    ['128974848', 128974848],
    ['100Ki', 102400],
    ['0', 0],
  ])('%s is %d', (q, n) => expect(parseQuantity(q)).toBeCloseTo(n));
  it('rejects what is not a quantity', () => {
    expect(parseQuantity('ten')).toBeUndefined();
    expect(parseQuantity('1Gb')).toBeUndefined();
  });
  it('formats bytes', () => {
    expect(formatBytes(20 * 2 ** 30)).toBe('20 GiB');
    expect(formatBytes(1536 * 2 ** 20)).toBe('1.5 GiB');
  });
});

describe('pod requests', () => {
  it('sums containers, takes the largest init container when bigger, adds overhead, and defaults requests to limits', () => {
    expect(
      podRequests({
        containers: [
          { name: 'a', resources: { requests: { cpu: '250m', memory: '256Mi' } } },
          { name: 'b', resources: { limits: { cpu: '250m', memory: '256Mi' } } },
        ],
        initContainers: [{ name: 'i', resources: { requests: { cpu: '2', memory: '64Mi' } } }],
        overhead: { cpu: '100m' },
      }),
    ).toEqual({ cpu: 2.1, memory: 512 * 2 ** 20 });
  });
});
