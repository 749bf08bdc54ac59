import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolitenessFile, resolveLimits } from '../../../src/worker/politeness/gate.js';

describe('resolveLimits', () => {
  const defaults = { ratePerSec: 2, concurrency: 4 };
  const overrides = {
    'slow.example': { rate: '1/5s' },
    'example.com': { rate: '10/s', concurrency: 8 },
    'api.example.com': { concurrency: 1 },
    'free.example': { rate: 'unlimited', concurrency: 0 },
  };

  it('uses the defaults when no override matches', () => {
    expect(resolveLimits('other.org', defaults, overrides)).toEqual({ ratePerSec: 2, concurrency: 4 });
  });

  it('applies an exact override, keeping the defaults for fields it does not set', () => {
    expect(resolveLimits('slow.example', defaults, overrides)).toEqual({ ratePerSec: 0.2, concurrency: 4 });
  });

  it('applies a parent-domain override to subdomains, the closest one winning', () => {
    expect(resolveLimits('www.example.com', defaults, overrides)).toEqual({ ratePerSec: 10, concurrency: 8 });
    expect(resolveLimits('api.example.com', defaults, overrides)).toEqual({ ratePerSec: 2, concurrency: 1 });
    expect(resolveLimits('WWW.Example.COM', defaults, overrides).ratePerSec).toBe(10);
  });

  it('treats 0 and unlimited as Infinity', () => {
    expect(resolveLimits('free.example', defaults, overrides)).toEqual({
      ratePerSec: Number.POSITIVE_INFINITY,
      concurrency: Number.POSITIVE_INFINITY,
    });
    expect(resolveLimits('x.org', { ratePerSec: 0, concurrency: 0 }, {})).toEqual({
      ratePerSec: Number.POSITIVE_INFINITY,
      concurrency: Number.POSITIVE_INFINITY,
    });
  });

  it('lets a Crawl-delay lower the rate but never raise it', () => {
    expect(resolveLimits('other.org', defaults, overrides, 2).ratePerSec).toBe(0.5);
    expect(resolveLimits('slow.example', defaults, overrides, 1).ratePerSec).toBe(0.2);
    expect(resolveLimits('free.example', defaults, overrides, 10).ratePerSec).toBeCloseTo(0.1);
    expect(resolveLimits('other.org', defaults, overrides, 0).ratePerSec).toBe(2);
    expect(resolveLimits('other.org', defaults, overrides, null).ratePerSec).toBe(2);
  });

  it("makes a Crawl-delay the host's floor across crawls, whatever the crawl's own rate", () => {
    expect(resolveLimits('slow.example', defaults, overrides, 1).hostFloorPerSec).toBe(1);
    expect(resolveLimits('free.example', defaults, overrides, 4).hostFloorPerSec).toBe(0.25);
    expect(resolveLimits('other.org', defaults, overrides, null).hostFloorPerSec).toBeUndefined();
  });
});

describe('loadPolitenessFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mc-polite-'));
  const file = (name: string, content: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };

  it('reads host overrides, lowercasing host names', () => {
    const p = file('ok.json', {
      'Example.com': { rate: '1/s', concurrency: 2 },
      'b.org': { rate: '30/min' },
      'c.org': { rate: 5 },
    });
    expect(loadPolitenessFile(p)).toEqual({
      'example.com': { rate: '1/s', concurrency: 2 },
      'b.org': { rate: '30/min' },
      'c.org': { rate: '5' },
    });
  });

  it.each([
    ['bad-rate.json', { 'a.com': { rate: 'fast' } }, /"a\.com".rate must be a rate like .*\(got "fast"\)/],
    ['rate-negative.json', { 'a.com': { rate: -2 } }, /"a\.com".rate must be a rate like .*\(got -2\)/],
    [
      'bad-conc.json',
      { 'a.com': { concurrency: 1.5 } },
      /"a\.com".concurrency must be a non-negative integer/,
    ],
    ['unknown.json', { 'a.com': { rps: 2 } }, /"a\.com".rps is not a known field/],
    ['not-object.json', { 'a.com': '1/s' }, /"a\.com": must be an object/],
    ['array.json', [1], /must be an object of host/],
    ['url-key.json', { 'https://a.com/': {} }, /the key must be a host name/],
  ])('names the field in validation errors (%s)', (name, content, re) => {
    expect(() => loadPolitenessFile(file(name, content))).toThrow(re);
  });

  it('names the file when it is not JSON', () => {
    const p = file('broken.json', '{ nope');
    expect(() => loadPolitenessFile(p)).toThrow(`politeness file ${p}`);
  });
});
