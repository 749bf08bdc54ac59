/**
 * A page's metadata as compact JSON text, built from the text its metadata hash reads anyway (metaHashFields),
 * so the metadata is serialized once per page instead of twice: `<fields>,<rest>,<values>` where `fields` is the
 * metaHashFields JSON, `rest` the metadata's other fields (audit, custom rules, microdata) and `values` the
 * JSON-LD blocks' parsed values. Reextract's threads (archived-page.ts) and the results stream (stream.ts) carry
 * it inside their own JSON arrays; unpackMeta() rebuilds the PageMetadata that JSON.parse of the metadata
 * serialized as an object would give.
 */
import type { MetaHashFields } from './hashes.js';
import type { PageMetadata } from './types.js';

/** The metadata fields metaHash reads (the rest of a page's metadata travels apart). */
const HASHED = new Set<string>([
  'title',
  'lang',
  'charset',
  'canonical',
  'description',
  'viewport',
  'meta',
  'og',
  'twitter',
  'jsonld',
  'links',
  'linksCount',
  'areaLinksCount',
  'linksTruncated',
  'baseUrl',
  'resolved',
]);

/** The three parts of packed metadata, as JSON.parse reads them back. */
export type PackedMeta = [fields: MetaHashFields, rest: Record<string, unknown>, values: unknown[]];

/**
 * The metadata as the JSON text of the three elements of a PackedMeta, comma-separated (the caller puts them
 * in its array). `fieldsJson` must be `JSON.stringify(metaHashFields(meta))`.
 */
export function packMeta(meta: PageMetadata, fieldsJson: string): string {
  const rest: Record<string, unknown> = {};
  for (const k in meta) if (!HASHED.has(k)) rest[k] = meta[k as keyof PageMetadata];
  const values = JSON.stringify(meta.jsonld.map((b) => b.value));
  return `${fieldsJson},${JSON.stringify(rest)},${values}`;
}

/** The metadata packMeta() packed; throws (a TypeError) when the parts are not shaped as it writes them. */
export function unpackMeta(
  f: MetaHashFields,
  rest: Record<string, unknown>,
  values: unknown[],
): PageMetadata {
  return {
    title: f[0],
    lang: f[1],
    charset: f[2],
    canonical: f[3],
    description: f[4],
    viewport: f[5],
    meta: f[6],
    og: f[7],
    twitter: f[8],
    jsonld: f[9].map(([raw, unwrapped, valid, types], i) =>
      unwrapped === null
        ? { raw, valid, value: values[i], types }
        : { raw, unwrapped, valid, value: values[i], types },
    ),
    links: f[10].map(([url, text, rel, tag]) => ({ url, text, rel, tag })),
    linksCount: f[11],
    areaLinksCount: f[12],
    linksTruncated: f[13],
    baseUrl: f[14],
    resolved: f[15],
    ...rest,
  };
}
