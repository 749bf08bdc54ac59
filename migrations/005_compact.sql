-- metacrawl schema 5: a compact store. What repeats from page to page is kept once and referenced by id:
-- link URLs (without their #fragment) in `urls`, meta tag names in `meta_names`, anchor texts and meta
-- contents in `strings`. `links` and `meta` become views with the columns they had (plus `links.target`),
-- so a query written for schema 1-4 answers the same rows. An existing database is converted in place.

-- Every link target: an absolute URL without its #fragment. The writer reuses the id of a URL it has seen
-- recently, so a URL linked from every page of a site is stored once; a URL may still have several ids
-- (compare `url`, not ids). Ids are never reused or deleted.
CREATE TABLE urls (
  id   INTEGER PRIMARY KEY,
  url  TEXT    NOT NULL
);

-- Every (attr, key) pair a <meta> tag was named by, e.g. ('property', 'og:title'), once.
CREATE TABLE meta_names (
  id    INTEGER PRIMARY KEY,
  attr  TEXT    NOT NULL,            -- name, property, http-equiv, itemprop, charset
  key   TEXT    NOT NULL,
  UNIQUE (key, attr)
);

-- Anchor texts and meta contents. The writer reuses the id of a text it has seen recently, so a text
-- repeated across a site is stored once; the same text may still have several ids (compare `s`, not ids).
CREATE TABLE strings (
  id  INTEGER PRIMARY KEY,
  s   TEXT    NOT NULL
);

-- The rows behind the `links` view, in document order (at most --max-links per page).
CREATE TABLE link_rows (
  page_id   INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,          -- 0-based document order
  url_id    INTEGER NOT NULL REFERENCES urls(id),    -- the link URL without its fragment
  fragment  TEXT,                      -- what followed the first '#' ('' for a bare '#'); NULL when none
  text_id   INTEGER NOT NULL REFERENCES strings(id), -- anchor text, whitespace collapsed
  rel       TEXT,                      -- rel attribute, when present
  PRIMARY KEY (page_id, position)
) WITHOUT ROWID;

-- The rows behind the `meta` view, in document order. Not indexed by name: a key is found in `meta_names`
-- (a few hundred rows) and its tags by one pass over this narrow table (~1.2 KB per page), about as fast
-- for a common key as an index whose every entry needs a lookup, and free for the writer.
CREATE TABLE meta_rows (
  page_id     INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,        -- 0-based document order
  name_id     INTEGER NOT NULL REFERENCES meta_names(id),
  content_id  INTEGER REFERENCES strings(id), -- NULL when the tag had no content attribute
  PRIMARY KEY (page_id, position)
) WITHOUT ROWID;

-- The rows of schema 4, converted. Strings are matched exactly through a temporary index.
INSERT INTO urls (url)
  SELECT DISTINCT CASE WHEN instr(url, '#') > 0 THEN substr(url, 1, instr(url, '#') - 1) ELSE url END
  FROM links;
-- "Links to URL X" and most-linked URLs; a writer storing many pages drops it too (see link_rows_target).
CREATE INDEX urls_url ON urls (url);
INSERT INTO strings (s) SELECT text FROM links UNION SELECT content FROM meta WHERE content IS NOT NULL;
CREATE INDEX strings_convert ON strings (s);
INSERT INTO meta_names (attr, key) SELECT DISTINCT attr, key FROM meta;

INSERT INTO link_rows (page_id, position, url_id, fragment, text_id, rel)
  SELECT l.page_id, l.position, u.id,
         CASE WHEN instr(l.url, '#') > 0 THEN substr(l.url, instr(l.url, '#') + 1) END,
         s.id, l.rel
  FROM links l
  JOIN urls u ON u.url = CASE WHEN instr(l.url, '#') > 0 THEN substr(l.url, 1, instr(l.url, '#') - 1) ELSE l.url END
  JOIN strings s ON s.s = l.text
  ORDER BY l.page_id, l.position;

INSERT INTO meta_rows (page_id, position, name_id, content_id)
  SELECT m.page_id, m.position, n.id, s.id
  FROM meta m
  JOIN meta_names n ON n.key = m.key AND n.attr = m.attr
  LEFT JOIN strings s ON s.s = m.content
  ORDER BY m.page_id, m.position;

DROP INDEX strings_convert;
DROP TABLE links;
DROP TABLE meta;

-- "Linked from" and most-linked URLs. A writer that stores many pages drops it and urls_url while it writes
-- (inserts all over a large B-tree would make every page cost more as the database grows) and builds them
-- again when done (the end of `crawl`, an idle `store`): queries answer the same rows without them, slower.
CREATE INDEX link_rows_target ON link_rows (url_id);

-- Every outgoing link of a page, in document order, as before; `target` is `url` without its #fragment,
-- the URL to count and join on ("most-linked", "linked from", links to pages of the crawl). Texts come from
-- a subquery, evaluated only when asked for; the URLs from a join, so `WHERE target = ?` is an index lookup.
CREATE VIEW links (page_id, position, url, text, rel, target) AS
  SELECT l.page_id, l.position,
         CASE WHEN l.fragment IS NULL THEN u.url ELSE u.url || '#' || l.fragment END,
         (SELECT s FROM strings WHERE id = l.text_id), l.rel, u.url
  FROM link_rows l JOIN urls u ON u.id = l.url_id;

-- Every <meta> tag of a page, in document order, as before.
CREATE VIEW meta (page_id, position, attr, key, content) AS
  SELECT m.page_id, m.position, n.attr, n.key, (SELECT s FROM strings WHERE id = m.content_id)
  FROM meta_rows m JOIN meta_names n ON n.id = m.name_id;

-- The views join tables of very different sizes: the query planner needs their statistics to start from the
-- small side (a page's meta tags by page URL: the page first). Sampled, so it takes milliseconds at any size;
-- the end of every crawl refreshes them.
PRAGMA analysis_limit = 1000;
ANALYZE;
