/**
 * `--extract` on the command line: bad rules stop submit before anything is queued; config and inspect show rules.
 * Commands run through the CLI's main() in-process; the last inspect is a real process.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

const PAGE = new URL('../fixtures/corpus/pages/extruct-microdata-with-description.html', import.meta.url)
  .pathname;

describe('--extract on the command line', () => {
  it('a bad rule at submit: exit 2 naming the rule and the reason, nothing queued', {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'extract-cli-'));
    const seeds = join(dir, 'seeds.txt');
    writeFileSync(seeds, 'https://a.example/\n');
    const rulesFile = join(dir, 'rules.json');
    writeFileSync(rulesFile, JSON.stringify({ ok: 'css:h1', sku: 'regex:sku-\\d+' }));
    const prefix = testPrefix();
    const base = ['submit', seeds, '--crawl', 'bad', '--redis', testRedisUrl(), '--prefix', prefix];
    const cases: Array<[string[], RegExp]> = [
      [['--extract', 'price=css:[[x'], /--extract "price=css:\[\[x": invalid CSS selector/],
      [
        ['--extract', 'sku=regex:([a-z'],
        /--extract "sku=regex:\(\[a-z": the regular expression does not compile/,
      ],
      [['--extract', 'sku=regex:sku-\\d+'], /no capture group/],
      [['--extract', 'x=xpath://h1'], /unknown rule kind "xpath"/],
      [['--extract', 'a=css:h1', '--extract', 'a=css:h2'], /"a=css:h2": duplicate rule name "a"/],
      [
        ['--extract-file', rulesFile],
        new RegExp(
          `--extract-file ${rulesFile} "sku=regex:sku-\\\\d\\+": the regular expression has no capture group`,
        ),
      ],
    ];
    const results = [];
    for (const [flags] of cases) results.push(await runMain([...base, ...flags]));
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(cases[i][1]);
      expect(r.stdout).toBe('');
    });
    const redis = new Redis(testRedisUrl());
    try {
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
    // Good rules travel with the crawl: status shows them.
    const goodBase = ['--crawl', 'good', '--redis', testRedisUrl(), '--prefix', prefix];
    const ok = await runMain([
      'submit',
      seeds,
      ...goodBase,
      '--extract',
      'h=css:h1',
      '--extract',
      'ids[]=regex:id=(\\d+)',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const status = await runMain(['status', ...goodBase, '--json']);
    expect(JSON.parse(status.stdout).crawls[0].extract).toEqual(['h=css:h1', 'ids[]=regex:id=(\\d+)']);
    const text = await runMain(['status', ...goodBase]);
    expect(text.stdout).toContain('    extract h=css:h1\n    extract ids[]=regex:id=(\\d+)\n');
  });

  it('config shows the rules as they travel (file first, then flags; --extract-all applied)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'extract-cli-'));
    const rulesFile = join(dir, 'rules.json');
    writeFileSync(rulesFile, JSON.stringify({ 'crumbs[]': 'css:nav li' }));
    const r = await runMain([
      'config',
      '--extract-file',
      rulesFile,
      '--extract',
      'price = css:[itemprop=price]@content',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).settings.extract).toEqual([
      'crumbs[]=css:nav li',
      'price=css:[itemprop=price]@content',
    ]);
    const all = await runMain(['config', '--extract', 'a=css:h1', '--extract-all']);
    expect(JSON.parse(all.stdout).settings.extract).toEqual(['a[]=css:h1']);
    const none = await runMain(['config']);
    expect(JSON.parse(none.stdout).settings.extract).toEqual([]);
  });

  it('inspect --extract --json adds "extracts" (string, null, array) and the microdata items', async () => {
    const r = await runMain([
      'inspect',
      '--file',
      PAGE,
      '--base',
      'https://shop.example/p',
      '--json',
      '--extract',
      'name=css:h1',
      '--extract',
      'prices[]=css:[itemprop=offers] [itemprop=price]@content',
      '--extract',
      'gtin=css:[itemprop=gtin13]',
      '--extract',
      'currency=regex:itemprop="priceCurrency" content="([A-Z]{3})"',
      '--microdata',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.extracts).toEqual({
      name: 'Johnsons 4 Fleas Cats & Kittens Tablets',
      prices: ['9.56', '5.29'],
      gtin: null,
      currency: 'GBP',
    });
    expect(j.microdata[0].type).toEqual(['http://schema.org/Product']);
    const text = await runMain([
      'inspect',
      '--file',
      PAGE,
      '--base',
      'https://shop.example/p',
      '--extract',
      'name=css:h1',
      '--microdata',
    ]);
    expect(text.stdout).toMatch(/\nExtracted:\n {2}name: "Johnsons 4 Fleas Cats & Kittens Tablets"\n/);
    expect(text.stdout).toMatch(/Microdata: 1 items \(http:\/\/schema.org\/Product, /);
    const plain = await runCli(['inspect', '--file', PAGE, '--base', 'https://shop.example/p', '--json']);
    expect(JSON.parse(plain.stdout).microdata).toBeUndefined();
  });
});
