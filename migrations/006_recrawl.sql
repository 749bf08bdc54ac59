-- metacrawl: re-crawling. Each page gets hashes of its body and of its extracted metadata; a page of a crawl
-- run `--since` an earlier one that did not change (304 Not Modified, the same body, the same metadata, or a
-- trusted sitemap lastmod) is one `pages` row that SHARES its links, meta tags and JSON-LD with the earlier
-- row (`content_of`) instead of copying them. `links`, `meta`, `jsonld` and `page_jsonld_types` are views
-- that resolve the pointer, so every query written for schemas 1-5 answers for such a page as the earlier
-- crawl did. Nothing is rewritten: existing rows keep NULL in the new columns.

-- First 16 hex digits (64 bits) of the SHA-256 of the body bytes as read (Content-Encoding undone, cut at
-- --max-bytes when truncated). NULL when no body was read (failures, 304, a skipped page: then the earlier's).
ALTER TABLE pages ADD COLUMN body_hash TEXT;
-- First 16 hex digits of the SHA-256 of everything the extractor stored for the page (README "Re-crawling"
-- lists it): equal hashes mean equal `pages` metadata columns and equal links, meta and JSON-LD rows.
ALTER TABLE pages ADD COLUMN meta_hash TEXT;
-- In a crawl run with --since: 1 when the page's metadata is the earlier crawl's (see unchanged_reason), 0 when
-- it changed (or the earlier row was a failure); NULL when there was nothing to compare with (no --since, a URL
-- new to this crawl, or this row is a failure).
ALTER TABLE pages ADD COLUMN unchanged INTEGER;
-- Why unchanged = 1: 'not-modified' (the server answered 304 to the earlier validators), 'same-body' (200 with
-- the earlier body hash: not extracted again), 'same-metadata' (200, the body changed, the metadata hash did
-- not), 'lastmod' (--trust-lastmod: the sitemap lastmod is not later than the earlier fetch; not fetched).
ALTER TABLE pages ADD COLUMN unchanged_reason TEXT;
-- The id of the page row whose link/meta/JSON-LD rows this page shares (always a row owning its rows, never
-- a chain); NULL when the page owns its rows. Deleting that earlier row's crawl takes them away too.
ALTER TABLE pages ADD COLUMN content_of INTEGER;
-- The earlier crawl's row this one was compared with (`unchanged` not NULL), for history and diffs.
ALTER TABLE pages ADD COLUMN since_page INTEGER;
CREATE INDEX pages_content_of ON pages (content_of) WHERE content_of IS NOT NULL;

-- The rows behind the `jsonld` and `page_jsonld_types` views (the tables of schemas 1-5, renamed).
ALTER TABLE jsonld RENAME TO jsonld_rows;
ALTER TABLE page_jsonld_types RENAME TO jsonld_type_rows;

-- Every view below joins a child row to each page it belongs to: its owner (p.id = page_id) and every page
-- sharing it (p.content_of = page_id). Both are index lookups, from either side.
DROP VIEW links;
DROP VIEW meta;

-- Every outgoing link of a page, in document order; `target` is `url` without its #fragment.
CREATE VIEW links (page_id, position, url, text, rel, target) AS
  SELECT p.id, l.position,
         CASE WHEN l.fragment IS NULL THEN u.url ELSE u.url || '#' || l.fragment END,
         (SELECT s FROM strings WHERE id = l.text_id), l.rel, u.url
  FROM link_rows l
  JOIN pages p ON (p.id = l.page_id OR p.content_of = l.page_id)
  JOIN urls u ON u.id = l.url_id;

-- Every <meta> tag of a page, in document order.
CREATE VIEW meta (page_id, position, attr, key, content) AS
  SELECT p.id, m.position, n.attr, n.key, (SELECT s FROM strings WHERE id = m.content_id)
  FROM meta_rows m
  JOIN pages p ON (p.id = m.page_id OR p.content_of = m.page_id)
  JOIN meta_names n ON n.id = m.name_id;

-- Every JSON-LD block of a page, in document order (columns as in schema 4).
CREATE VIEW jsonld (page_id, position, type, json, valid, raw) AS
  SELECT p.id, j.position, j.type, j.json, j.valid, j.raw
  FROM jsonld_rows j
  JOIN pages p ON (p.id = j.page_id OR p.content_of = j.page_id);

-- A page's JSON-LD types, one row each ("pages of type X" stays an indexed lookup).
CREATE VIEW page_jsonld_types (page_id, type) AS
  SELECT p.id, t.type
  FROM jsonld_type_rows t
  JOIN pages p ON (p.id = t.page_id OR p.content_of = t.page_id);

-- A page's status as a diff compares it: a page that kept the earlier crawl's metadata without a new 200 (a 304,
-- or skipped by --trust-lastmod) has the status of the row whose metadata it shares.
CREATE VIEW page_status (page_id, status) AS
  SELECT p.id, CASE WHEN p.content_of IS NOT NULL AND (p.status IS NULL OR p.status = 304)
                    THEN (SELECT o.status FROM pages o WHERE o.id = p.content_of) ELSE p.status END
  FROM pages p;

-- Pages of two crawls side by side, by URL: one row per URL in either crawl, for `metacrawl diff` and SQL.
-- `a` and `b` are page ids (NULL when the URL is not in that crawl); `change` is added, removed, changed or
-- unchanged: unchanged when the status (as page_status gives it), the error, the final URL and the metadata
-- hash are the same (rows stored before this schema have no hash: they compare by the first three only).
-- Pick the crawls with a WHERE on both a_crawl and b_crawl:
--   SELECT url, change FROM page_pairs WHERE a_crawl = (SELECT id FROM crawls WHERE name = 'w49')
--     AND b_crawl = (SELECT id FROM crawls WHERE name = 'w50') AND change <> 'unchanged';
CREATE VIEW page_pairs (a_crawl, b_crawl, url, a, b, change) AS
  SELECT ca.id, cb.id, p.url, p.id, q.id,
         CASE WHEN q.id IS NULL THEN 'removed'
              WHEN p.meta_hash IS q.meta_hash AND p.error IS q.error AND p.final_url IS q.final_url
                   AND (SELECT status FROM page_status WHERE page_id = p.id)
                       IS (SELECT status FROM page_status WHERE page_id = q.id) THEN 'unchanged'
              ELSE 'changed' END
  FROM crawls ca JOIN crawls cb JOIN pages p ON p.crawl_id = ca.id
  LEFT JOIN pages q ON q.crawl_id = cb.id AND q.url = p.url
  UNION ALL
  SELECT ca.id, cb.id, q.url, NULL, q.id, 'added'
  FROM crawls ca JOIN crawls cb JOIN pages q ON q.crawl_id = cb.id
  WHERE NOT EXISTS (SELECT 1 FROM pages p WHERE p.crawl_id = ca.id AND p.url = q.url);
