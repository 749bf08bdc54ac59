/** Rule parsing: every kind, `[]`, --extract-all, rule files, and each reason a rule is refused. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRule, parseRules, RuleError, readRulesFile } from '../../src/extract/rules.js';

function refused(text: string | string[]): RuleError {
  try {
    Array.isArray(text) ? parseRules(text) : parseRule(text);
  } catch (err) {
    expect(err).toBeInstanceOf(RuleError);
    return err as RuleError;
  }
  throw new Error(`accepted: ${text}`);
}

describe('extraction rules', () => {
  it('parses css rules: text, @attr, @html, and [] for every match', () => {
    expect(parseRule('byline=css:.author a')).toMatchObject({
      name: 'byline',
      all: false,
      kind: 'css',
      selector: '.author a',
      attr: null,
    });
    expect(parseRule('price=css:[itemprop=price]@content')).toMatchObject({
      selector: '[itemprop=price]',
      attr: 'content',
    });
    expect(parseRule('body=css:article@html')).toMatchObject({ selector: 'article', attr: '@html' });
    // An @ inside an attribute selector is part of the selector.
    expect(parseRule('mail=css:a[href^="mailto:x@y"]')).toMatchObject({
      selector: 'a[href^="mailto:x@y"]',
      attr: null,
    });
    const crumbs = parseRule('crumbs[]=css:nav.breadcrumb li');
    expect(crumbs).toMatchObject({ name: 'crumbs', all: true, text: 'crumbs[]=css:nav.breadcrumb li' });
  });

  it('parses regex and jsonld rules', () => {
    const sku = parseRule('sku=regex:"sku"\\s*:\\s*"([^"]+)"');
    expect(sku.kind).toBe('regex');
    expect(sku.regex?.exec('{"sku" : "A-1"}')?.[1]).toBe('A-1');
    expect(parseRule('offer=jsonld:Product.offers.price')).toMatchObject({
      kind: 'jsonld',
      type: 'Product',
      path: ['offers', 'price'],
    });
    expect(parseRule('node=jsonld:Product')).toMatchObject({ type: 'Product', path: [] });
  });

  it('refuses bad rules with the rule and the reason', () => {
    expect(refused('price=css:[[x').reason).toMatch(/invalid CSS selector/);
    expect(refused('p=css:a:nosuchpseudo').reason).toMatch(/invalid CSS selector.*nosuchpseudo/);
    expect(refused('sku=regex:([a-z]+').reason).toMatch(/does not compile/);
    expect(refused('sku=regex:sku-\\d+').reason).toMatch(/no capture group/);
    // A non-capturing group is no group.
    expect(refused('sku=regex:(?:a)b').reason).toMatch(/no capture group/);
    expect(refused('x=xpath://a').reason).toMatch(/unknown rule kind "xpath"/);
    expect(refused('css:.a').reason).toMatch(/name=kind:body/);
    expect(refused('9x=css:a').reason).toMatch(/name "9x"/);
    expect(refused('x=css:').reason).toMatch(/empty/);
    expect(refused('x=jsonld:Product..price').reason).toMatch(/empty step/);
    const dup = refused(['a=css:h1', 'a[]=css:h2']);
    expect(dup.rule).toBe('a[]=css:h2');
    expect(dup.reason).toMatch(/duplicate rule name "a"/);
  });

  it('--extract-all makes every rule keep every match', () => {
    const rules = parseRules(['a=css:h1', 'b[]=css:h2', 'c=regex:(x)'], { all: true });
    expect(rules.map((r) => [r.all, r.text])).toEqual([
      [true, 'a[]=css:h1'],
      [true, 'b[]=css:h2'],
      [true, 'c[]=regex:(x)'],
    ]);
  });

  it('reads rule files: an object of name → rule, or an array of rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    const obj = join(dir, 'rules.json');
    writeFileSync(obj, JSON.stringify({ price: 'css:[itemprop=price]@content', 'tags[]': 'css:.tag' }));
    expect(readRulesFile(obj)).toEqual(['price=css:[itemprop=price]@content', 'tags[]=css:.tag']);
    const arr = join(dir, 'list.json');
    writeFileSync(arr, JSON.stringify(['sku=regex:sku=(\\w+)']));
    expect(readRulesFile(arr)).toEqual(['sku=regex:sku=(\\w+)']);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"price": 3}');
    expect(() => readRulesFile(bad)).toThrow(/"price" must be a "kind:body" string/);
    writeFileSync(bad, 'not json');
    expect(() => readRulesFile(bad)).toThrow(/not JSON/);
    expect(() => readRulesFile(join(dir, 'missing.json'))).toThrow(/cannot read/);
  });
});
