import { describe, expect, it } from 'vitest';
import { isHtmlType, looksBinary, mimeType } from '../../src/fetch/index.js';

describe('mimeType', () => {
  it.each<[string | null, string | null]>([
    ['text/html; charset=utf-8', 'text/html'],
    ['Text/HTML', 'text/html'],
    ['  application/xhtml+xml ;q=1', 'application/xhtml+xml'],
    ['', null],
    [null, null],
  ])('%j → %j', (header, expected) => {
    expect(mimeType(header)).toBe(expected);
  });
});

describe('isHtmlType', () => {
  it.each<[string | null, boolean]>([
    ['text/html', true],
    ['text/html; charset=gbk', true],
    ['TEXT/HTML', true],
    ['application/xhtml+xml', true],
    ['text/plain', false],
    ['application/json', false],
    ['image/png', false],
    ['application/pdf', false],
    [null, true],
  ])('%j → %s', (type, expected) => {
    expect(isHtmlType(type)).toBe(expected);
  });

  it('sniffs a missing or unknown type from the body', () => {
    expect(isHtmlType(null, Buffer.from('\n  <!DOCTYPE html><html>'))).toBe(true);
    expect(isHtmlType(null, Buffer.from('<html lang="en">'))).toBe(true);
    expect(isHtmlType('unknown/unknown', Buffer.from('<p>hi</p>'))).toBe(true);
    expect(isHtmlType(null, Buffer.from('{"json": true}'))).toBe(false);
    expect(isHtmlType(null, Buffer.from('<htmlx>'))).toBe(false);
    expect(isHtmlType('text/plain', Buffer.from('<html>'))).toBe(false);
  });
});

describe('looksBinary', () => {
  const b = (...x: (string | number[])[]) =>
    Buffer.concat(x.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
  it.each<[string, Buffer, boolean]>([
    ['html', b('<!doctype html><p>hi</p>\r\n\t'), false],
    ['utf-8 text', Buffer.from('中文 Привет'), false],
    ['windows-1252 high bytes', b([0x80, 0xe9, 0xff]), false],
    ['a NUL byte', b('<html>', [0x00], '</html>'), true],
    ['a 0x1B after 512 bytes only', b('a'.repeat(512), [0x1b]), false],
    ['a control byte early', b('<p>', [0x01]), true],
    ['PNG', b([0x89], 'PNG\r\n', [0x1a], '\n'), true],
    ['PDF', b('%PDF-1.7\n%text only'), true],
    ['GIF', b('GIF89a'), true],
    ['gzip', b([0x1f, 0x8b, 0x08]), true],
    ['zip', b('PK', [3, 4]), true],
    ['UTF-16LE with BOM', Buffer.concat([b([0xff, 0xfe]), Buffer.from('<p>', 'utf16le')]), false],
    ['UTF-16 without BOM', Buffer.from('<p>', 'utf16le'), true],
    ['empty', Buffer.alloc(0), false],
  ])('%s → %s', (_name, body, expected) => {
    expect(looksBinary(body)).toBe(expected);
  });
});
