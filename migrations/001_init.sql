-- metacrawl schema 1: crawls, one row per page, and the page's meta tags, links and JSON-LD blocks.
-- This schema is metacrawl's public interface. Never edit a released migration: add a new file.
-- Conventions: timestamps are ISO 8601 text (UTC); booleans are 0/1 integers; positions are 0-based
-- and follow document order; JSON columns hold text produced by JSON.stringify.

-- One row per crawl name (created by the store writer the first time it sees a record of the crawl).
CREATE TABLE crawls (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE, -- the crawl name given to `metacrawl submit/crawl --crawl`
  created_at  TEXT    NOT NULL,        -- when the store first saw the crawl
  settings    TEXT                     -- JSON object of the crawl's settings as submitted, when known
);

-- One row per submitted (or discovered) URL of a crawl: fetched, or failed with a stable error code.
CREATE TABLE pages (
  id               INTEGER PRIMARY KEY,
  crawl_id         INTEGER NOT NULL REFERENCES crawls(id) ON DELETE CASCADE,
  url              TEXT    NOT NULL,   -- normalized submitted URL (the dedupe key within a crawl)
  final_url        TEXT,               -- URL of the last response after redirects
  status           INTEGER,            -- HTTP status of the last response; NULL when none was received
  content_type     TEXT,               -- Content-Type header of the last response
  error            TEXT,               -- NULL on success, else a stable code (see ERROR_CODES / `metacrawl errors`)
  error_detail     TEXT,               -- human-readable message for the error
  attempts         INTEGER NOT NULL DEFAULT 0, -- fetch attempts made (retries included)
  fetched_at       TEXT,               -- when the final attempt finished
  elapsed_ms       INTEGER,            -- duration of the final fetch, connect to last byte
  queued_ms        INTEGER,            -- time spent waiting for politeness (rate, concurrency, backoff)
  bytes            INTEGER,            -- body bytes read (after decompression)
  truncated        INTEGER NOT NULL DEFAULT 0, -- 1 when the body was cut at --max-bytes
  encoding         TEXT,               -- character encoding used to decode the body
  title            TEXT,               -- <title>
  description      TEXT,               -- <meta name="description">
  canonical        TEXT,               -- <link rel="canonical">, absolute
  lang             TEXT,               -- <html lang>
  charset          TEXT,               -- declared charset label (meta charset / http-equiv), lowercased
  viewport         TEXT,               -- <meta name="viewport">
  og_title         TEXT,               -- first og:title
  og_description   TEXT,
  og_image         TEXT,
  og_url           TEXT,
  og_type          TEXT,
  og_site_name     TEXT,
  twitter_card     TEXT,               -- first twitter:card
  twitter_site     TEXT,
  twitter_title    TEXT,
  twitter_description TEXT,
  twitter_image    TEXT,
  links_count      INTEGER,            -- links found on the page (may exceed the rows in `links` when capped)
  links_truncated  INTEGER,            -- 1 when `links` holds only the first --max-links links
  jsonld_count     INTEGER,            -- JSON-LD blocks found (rows in `jsonld`)
  jsonld_invalid   INTEGER,            -- JSON-LD blocks that did not parse
  redirects        TEXT,               -- JSON array of {"url","status"} hops, in order; [] when none
  headers          TEXT,               -- JSON object of the final response headers (lowercased names)
  depth            INTEGER NOT NULL DEFAULT 0, -- 0 for seeds, n for pages found n links away
  discovered_from  TEXT,               -- URL of the page that linked here; NULL for seeds
  lastmod          TEXT,               -- sitemap <lastmod> when the URL came from a sitemap
  stored_at        TEXT    NOT NULL,   -- when the store writer last wrote this row
  UNIQUE (crawl_id, url)
);
-- Failures by code, ok/failed counts per crawl.
CREATE INDEX pages_crawl_error ON pages (crawl_id, error);
-- A crawl's pages in fetch order; first/last fetch times.
CREATE INDEX pages_crawl_fetched ON pages (crawl_id, fetched_at);

-- Every <meta> tag of a page, in document order.
CREATE TABLE meta (
  page_id   INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,          -- 0-based document order
  attr      TEXT    NOT NULL,          -- which attribute named it: name, property, http-equiv, itemprop, charset
  key       TEXT    NOT NULL,          -- the attribute's value, e.g. og:title, description
  content   TEXT,                      -- content attribute; NULL when absent
  PRIMARY KEY (page_id, position)
) WITHOUT ROWID;
CREATE INDEX meta_key ON meta (key);

-- Every outgoing http(s) link of a page, in document order (at most --max-links per page).
CREATE TABLE links (
  page_id   INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,          -- 0-based document order
  url       TEXT    NOT NULL,          -- absolute URL, resolved against <base href> and the page URL
  text      TEXT    NOT NULL,          -- anchor text, whitespace collapsed
  rel       TEXT,                      -- rel attribute, when present
  PRIMARY KEY (page_id, position)
) WITHOUT ROWID;
-- "Most-linked URLs" and "linked from" (the primary key is appended, so page_id comes for free).
CREATE INDEX links_url ON links (url);

-- Every <script type="application/ld+json"> block of a page, in document order.
CREATE TABLE jsonld (
  page_id   INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,          -- 0-based document order
  type      TEXT    NOT NULL,          -- every @type in the block (arrays and @graph included), space-separated
  json      TEXT    NOT NULL,          -- the script text as found (query it with json_extract when valid = 1)
  valid     INTEGER NOT NULL,          -- 1 when the text parsed as JSON
  PRIMARY KEY (page_id, position)
);
