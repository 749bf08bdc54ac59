-- metacrawl schema 7: the site audit (issue 16). New per-page fields from the streaming extractor, an
-- `indexable` verdict per page, and one SQL view per audit check (`metacrawl audit` runs them; so can
-- `metacrawl query` and the sqlite3 shell). Thresholds live in `audit_settings`; the checks are listed,
-- with their severity, in `audit_checks`. Rows stored before this schema have NULL audit fields and are
-- left out of the checks that need them.

ALTER TABLE pages ADD COLUMN h1              TEXT;    -- text of the first <h1>, whitespace collapsed
ALTER TABLE pages ADD COLUMN h1_count        INTEGER; -- <h1> elements
ALTER TABLE pages ADD COLUMN title_count     INTEGER; -- HTML <title> elements (two is a finding)
ALTER TABLE pages ADD COLUMN canonical_count INTEGER; -- <link rel=canonical> elements
ALTER TABLE pages ADD COLUMN word_count      INTEGER; -- words of the visible text (README "Audit": the rule)
ALTER TABLE pages ADD COLUMN text_hash       TEXT;    -- exact hash of the visible words, 16 hex digits
ALTER TABLE pages ADD COLUMN simhash         INTEGER; -- 64-bit SimHash of the visible words' 3-word shingles
ALTER TABLE pages ADD COLUMN img_count       INTEGER; -- <img> elements
ALTER TABLE pages ADD COLUMN img_missing_alt INTEGER; -- <img> without an alt attribute (alt="" is not missing)
ALTER TABLE pages ADD COLUMN x_robots_tag    TEXT;    -- X-Robots-Tag response header

-- Why a page cannot be indexed, judged on its final response (after redirects); NULL when it can be:
--   blocked-by-robots  robots.txt disallows it (never requested)
--   no-response        no HTTP response (network error, timeout, ...; see `error`)
--   non-200            the final status is not 200
--   fetch-error        a 200 whose body could not be used (see `error`)
--   noindex-header     X-Robots-Tag says noindex (or none)
--   noindex-meta       <meta name=robots> says noindex (or none)
--   canonicalised      its canonical link points at another URL (the fragment ignored)
-- A 200 that is not HTML (NOT_HTML, BINARY_CONTENT) is indexable as far as metacrawl can tell.
ALTER TABLE pages ADD COLUMN indexable_reason TEXT GENERATED ALWAYS AS (
  CASE
    WHEN error = 'ROBOTS_DISALLOWED' THEN 'blocked-by-robots'
    WHEN status IS NULL THEN 'no-response'
    WHEN status <> 200 THEN 'non-200'
    WHEN error IS NOT NULL AND error NOT IN ('NOT_HTML', 'BINARY_CONTENT') THEN 'fetch-error'
    WHEN instr(lower(x_robots_tag), 'noindex') > 0
      OR (',' || replace(replace(lower(x_robots_tag), ' ', ''), ':', ',') || ',') LIKE '%,none,%' THEN 'noindex-header'
    WHEN instr(lower(robots), 'noindex') > 0
      OR (',' || replace(lower(robots), ' ', '') || ',') LIKE '%,none,%' THEN 'noindex-meta'
    WHEN canonical IS NOT NULL
      AND CASE WHEN instr(canonical, '#') > 0 THEN substr(canonical, 1, instr(canonical, '#') - 1) ELSE canonical END
          <> coalesce(final_url, url) THEN 'canonicalised'
  END
) VIRTUAL;
-- 1 when the page can be indexed, 0 when not (indexable_reason says why).
ALTER TABLE pages ADD COLUMN indexable INTEGER GENERATED ALWAYS AS (indexable_reason IS NULL) VIRTUAL;

-- A page's document URL (after redirects): the audit's documents and "the page a link points at".
CREATE INDEX pages_crawl_doc ON pages (crawl_id, coalesce(final_url, url));

-- Thresholds of the checks; change one with e.g.
--   UPDATE audit_settings SET value = 300 WHERE key = 'thin_content_min_words';
-- or `metacrawl audit --set thin_content_min_words=300`. They apply to every crawl in the database.
CREATE TABLE audit_settings (
  key      TEXT PRIMARY KEY,
  value    REAL NOT NULL,
  meaning  TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO audit_settings (key, value, meaning) VALUES
  ('title_max_chars', 60, 'title-too-long: a title longer than this many characters'),
  ('title_min_chars', 30, 'title-too-short: a title shorter than this many characters'),
  ('description_max_chars', 155, 'description-too-long: a description longer than this many characters'),
  ('description_min_chars', 70, 'description-too-short: a description shorter than this many characters'),
  ('thin_content_min_words', 200, 'thin-content: an indexable page with fewer visible words'),
  ('near_duplicate_min_similarity', 0.9, 'near-duplicate-content: share of equal SimHash bits (0-1) from which two pages are near duplicates'),
  ('deep_pages_max_depth', 4, 'deep-pages: a page more clicks than this from the seeds'),
  ('slow_pages_max_ms', 1000, 'slow-pages: a response (connect to last byte) slower than this, in ms'),
  ('large_pages_max_bytes', 1048576, 'large-pages: a body larger than this, in bytes (after decompression)');

-- Every check: its stable id, its view, its severity (error, warning, notice) and what it finds.
CREATE TABLE audit_checks (
  id        TEXT PRIMARY KEY,
  position  INTEGER NOT NULL,   -- the order `metacrawl audit` lists them in
  view      TEXT NOT NULL,
  severity  TEXT NOT NULL,
  finds     TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO audit_checks (id, position, view, severity, finds) VALUES
  ('broken-links', 1, 'audit_broken_links', 'error', 'links to crawled URLs that answered 4xx/5xx or failed'),
  ('redirect-chains', 2, 'audit_redirect_chains', 'error', 'URLs reached through 2+ redirect hops, or a redirect loop'),
  ('links-to-redirects', 3, 'audit_links_to_redirects', 'warning', 'links whose target URL redirected'),
  ('non-indexable', 4, 'audit_non_indexable', 'notice', 'pages that cannot be indexed, with the reason'),
  ('canonical-missing', 5, 'audit_canonical_missing', 'warning', 'HTML pages without a canonical link'),
  ('canonical-broken', 6, 'audit_canonical_broken', 'error', 'canonicals pointing at a non-200, redirecting, noindex or canonicalised URL'),
  ('title-missing', 7, 'audit_title_missing', 'error', 'HTML pages without a title (or an empty one)'),
  ('title-duplicate', 8, 'audit_title_duplicate', 'warning', 'indexable pages sharing their title with another indexable page'),
  ('title-too-long', 9, 'audit_title_too_long', 'notice', 'titles over title_max_chars characters'),
  ('title-too-short', 10, 'audit_title_too_short', 'notice', 'titles under title_min_chars characters'),
  ('title-multiple', 11, 'audit_title_multiple', 'warning', 'pages with more than one <title>'),
  ('description-missing', 12, 'audit_description_missing', 'warning', 'HTML pages without a meta description (or an empty one)'),
  ('description-duplicate', 13, 'audit_description_duplicate', 'warning', 'indexable pages sharing their description with another indexable page'),
  ('description-too-long', 14, 'audit_description_too_long', 'notice', 'descriptions over description_max_chars characters'),
  ('description-too-short', 15, 'audit_description_too_short', 'notice', 'descriptions under description_min_chars characters'),
  ('h1-missing', 16, 'audit_h1_missing', 'warning', 'HTML pages without an <h1> (or an empty one)'),
  ('h1-multiple', 17, 'audit_h1_multiple', 'notice', 'pages with more than one <h1>'),
  ('h1-duplicate', 18, 'audit_h1_duplicate', 'notice', 'indexable pages sharing their first <h1> with another indexable page'),
  ('duplicate-content', 19, 'audit_duplicate_content', 'warning', 'indexable pages with exactly the same visible text, as groups'),
  ('near-duplicate-content', 20, 'audit_near_duplicate_content', 'warning', 'pairs of indexable pages whose text fingerprints agree on near_duplicate_min_similarity of their bits or more'),
  ('thin-content', 21, 'audit_thin_content', 'warning', 'indexable pages under thin_content_min_words words'),
  ('hreflang-missing-return', 22, 'audit_hreflang_missing_return', 'error', 'hreflang alternates A -> B where B has no alternate back to A'),
  ('hreflang-broken', 23, 'audit_hreflang_broken', 'error', 'hreflang alternates pointing at non-200, redirecting or canonicalised URLs'),
  ('jsonld-invalid', 24, 'audit_jsonld_invalid', 'error', 'pages with JSON-LD blocks that do not parse'),
  ('orphan-pages', 25, 'audit_orphan_pages', 'warning', 'URLs of the crawl''s sitemaps that no crawled page links to'),
  ('deep-pages', 26, 'audit_deep_pages', 'notice', 'pages more than deep_pages_max_depth clicks from the seeds'),
  ('slow-pages', 27, 'audit_slow_pages', 'warning', 'responses slower than slow_pages_max_ms'),
  ('large-pages', 28, 'audit_large_pages', 'warning', 'bodies larger than large_pages_max_bytes'),
  ('images-missing-alt', 29, 'audit_images_missing_alt', 'warning', 'pages with <img> elements lacking an alt attribute'),
  ('sitemap-bad-urls', 30, 'audit_sitemap_bad_urls', 'error', 'sitemap URLs that are non-200, redirect, noindex, canonicalised elsewhere or blocked');

-- The documents the content checks look at: fetched HTML pages (no error, audit fields present), one row
-- per document URL (`url` here is the URL after redirects): the row fetched without a redirect when there
-- is one, else the first stored. `page_id` is the pages row.
CREATE VIEW audit_pages AS
  SELECT p.crawl_id, p.id AS page_id, coalesce(p.final_url, p.url) AS url, p.url AS requested_url,
         p.status, p.indexable, p.indexable_reason, p.title, p.title_count, p.description, p.h1, p.h1_count,
         p.canonical, p.canonical_count, p.word_count, p.text_hash, p.simhash, p.img_count, p.img_missing_alt,
         p.jsonld_count, p.jsonld_invalid, p.hreflang, p.depth
  FROM pages p
  WHERE p.error IS NULL AND p.status IS NOT NULL AND p.word_count IS NOT NULL
    AND NOT EXISTS (
      SELECT 1 FROM pages q
      WHERE q.crawl_id = p.crawl_id AND coalesce(q.final_url, q.url) = coalesce(p.final_url, p.url)
        AND q.id <> p.id AND q.error IS NULL AND q.status IS NOT NULL AND q.word_count IS NOT NULL
        AND ((q.url = coalesce(q.final_url, q.url)) > (p.url = coalesce(p.final_url, p.url))
          OR ((q.url = coalesce(q.final_url, q.url)) = (p.url = coalesce(p.final_url, p.url)) AND q.id < p.id)));

-- Every link of every audited document to a URL the crawl has a row for (`target` without #fragment).
-- One row per (page, target): the first anchor text.
CREATE VIEW audit_links AS
  SELECT g.crawl_id, g.page_id, g.url, g.target, g.position,
         (SELECT text FROM links x WHERE x.page_id = g.page_id AND x.position = g.position) AS anchor, g.target_id
  FROM (
    SELECT d.crawl_id, d.page_id, d.url, l.target, min(l.position) AS position, t.id AS target_id
    FROM audit_pages d
    JOIN links l ON l.page_id = d.page_id
    JOIN pages t ON t.crawl_id = d.crawl_id AND t.url = l.target
    GROUP BY d.page_id, l.target) g;

CREATE VIEW audit_broken_links AS
  SELECT a.crawl_id, a.url, a.target, a.anchor, t.status, t.error
  FROM audit_links a JOIN pages t ON t.id = a.target_id
  WHERE t.status >= 400
     OR (t.error IS NOT NULL AND t.error NOT IN ('NOT_HTML', 'BINARY_CONTENT', 'ROBOTS_DISALLOWED', 'CANCELLED'));

CREATE VIEW audit_redirect_chains AS
  SELECT crawl_id, url, final_url AS target, json_array_length(redirects) AS hops,
         coalesce(error = 'TOO_MANY_REDIRECTS' AND error_detail LIKE '%redirect loop%', 0) AS loop,
         error, redirects AS chain
  FROM pages
  WHERE (redirects <> '[]' AND json_array_length(redirects) >= 2) OR error = 'TOO_MANY_REDIRECTS';

CREATE VIEW audit_links_to_redirects AS
  SELECT a.crawl_id, a.url, a.target, a.anchor, t.final_url AS redirects_to,
         json_array_length(t.redirects) AS hops, t.status
  FROM audit_links a JOIN pages t ON t.id = a.target_id
  WHERE t.redirects <> '[]' AND json_array_length(t.redirects) > 0;

CREATE VIEW audit_non_indexable AS
  SELECT DISTINCT crawl_id, coalesce(final_url, url) AS url, indexable_reason AS reason, status, error
  FROM pages
  WHERE indexable = 0;

CREATE VIEW audit_canonical_missing AS
  SELECT crawl_id, url FROM audit_pages WHERE status = 200 AND canonical IS NULL;

-- The canonical's own row: what went wrong with it (checks in this order).
CREATE VIEW audit_canonical_broken AS
  SELECT crawl_id, url, target, problem, status FROM (
    SELECT d.crawl_id, d.url, c.target, t.status,
           CASE
             WHEN t.redirects <> '[]' AND json_array_length(t.redirects) > 0 THEN 'redirects'
             WHEN t.status IS NULL OR t.status <> 200 THEN 'non-200'
             WHEN t.indexable_reason IN ('noindex-header', 'noindex-meta') THEN 'noindex'
             WHEN t.indexable_reason = 'canonicalised' THEN 'canonicalised'
           END AS problem
    FROM (SELECT crawl_id, url, CASE WHEN instr(canonical, '#') > 0
                                 THEN substr(canonical, 1, instr(canonical, '#') - 1) ELSE canonical END AS target
          FROM audit_pages WHERE canonical IS NOT NULL) c
    JOIN audit_pages d ON d.crawl_id = c.crawl_id AND d.url = c.url
    JOIN pages t ON t.crawl_id = c.crawl_id AND t.url = c.target
    WHERE c.target <> c.url)
  WHERE problem IS NOT NULL;

CREATE VIEW audit_title_missing AS
  SELECT crawl_id, url FROM audit_pages WHERE status = 200 AND coalesce(title, '') = '';

CREATE VIEW audit_title_duplicate AS
  SELECT d.crawl_id, d.url, d.title,
         (SELECT count(*) FROM audit_pages o WHERE o.crawl_id = d.crawl_id AND o.indexable = 1 AND o.title = d.title) AS pages
  FROM audit_pages d
  WHERE d.indexable = 1 AND coalesce(d.title, '') <> ''
    AND EXISTS (SELECT 1 FROM audit_pages o
                WHERE o.crawl_id = d.crawl_id AND o.indexable = 1 AND o.title = d.title AND o.page_id <> d.page_id);

CREATE VIEW audit_title_too_long AS
  SELECT crawl_id, url, title, length(title) AS chars FROM audit_pages
  WHERE length(title) > (SELECT value FROM audit_settings WHERE key = 'title_max_chars');

CREATE VIEW audit_title_too_short AS
  SELECT crawl_id, url, title, length(title) AS chars FROM audit_pages
  WHERE coalesce(title, '') <> '' AND length(title) < (SELECT value FROM audit_settings WHERE key = 'title_min_chars');

CREATE VIEW audit_title_multiple AS
  SELECT crawl_id, url, title_count AS titles FROM audit_pages WHERE title_count > 1;

CREATE VIEW audit_description_missing AS
  SELECT crawl_id, url FROM audit_pages WHERE status = 200 AND trim(coalesce(description, '')) = '';

CREATE VIEW audit_description_duplicate AS
  SELECT d.crawl_id, d.url, trim(d.description) AS description,
         (SELECT count(*) FROM audit_pages o
          WHERE o.crawl_id = d.crawl_id AND o.indexable = 1 AND trim(o.description) = trim(d.description)) AS pages
  FROM audit_pages d
  WHERE d.indexable = 1 AND trim(coalesce(d.description, '')) <> ''
    AND EXISTS (SELECT 1 FROM audit_pages o
                WHERE o.crawl_id = d.crawl_id AND o.indexable = 1 AND trim(o.description) = trim(d.description)
                  AND o.page_id <> d.page_id);

CREATE VIEW audit_description_too_long AS
  SELECT crawl_id, url, trim(description) AS description, length(trim(description)) AS chars FROM audit_pages
  WHERE length(trim(description)) > (SELECT value FROM audit_settings WHERE key = 'description_max_chars');

CREATE VIEW audit_description_too_short AS
  SELECT crawl_id, url, trim(description) AS description, length(trim(description)) AS chars FROM audit_pages
  WHERE trim(coalesce(description, '')) <> ''
    AND length(trim(description)) < (SELECT value FROM audit_settings WHERE key = 'description_min_chars');

CREATE VIEW audit_h1_missing AS
  SELECT crawl_id, url FROM audit_pages WHERE status = 200 AND coalesce(h1, '') = '';

CREATE VIEW audit_h1_multiple AS
  SELECT crawl_id, url, h1_count AS h1s FROM audit_pages WHERE h1_count > 1;

CREATE VIEW audit_h1_duplicate AS
  SELECT d.crawl_id, d.url, d.h1,
         (SELECT count(*) FROM audit_pages o WHERE o.crawl_id = d.crawl_id AND o.indexable = 1 AND o.h1 = d.h1) AS pages
  FROM audit_pages d
  WHERE d.indexable = 1 AND coalesce(d.h1, '') <> ''
    AND EXISTS (SELECT 1 FROM audit_pages o
                WHERE o.crawl_id = d.crawl_id AND o.indexable = 1 AND o.h1 = d.h1 AND o.page_id <> d.page_id);

-- One row per page of a group of indexable pages with the same visible text; `group` is the text hash.
CREATE VIEW audit_duplicate_content AS
  SELECT d.crawl_id, d.url, d.text_hash AS "group", d.word_count AS words,
         (SELECT count(*) FROM audit_pages o WHERE o.crawl_id = d.crawl_id AND o.indexable = 1 AND o.text_hash = d.text_hash) AS pages
  FROM audit_pages d
  WHERE d.indexable = 1 AND d.text_hash IS NOT NULL
    AND EXISTS (SELECT 1 FROM audit_pages o
                WHERE o.crawl_id = d.crawl_id AND o.indexable = 1 AND o.text_hash = d.text_hash AND o.page_id <> d.page_id);

-- One row per pair of indexable pages (url < target) whose texts differ but whose SimHash fingerprints agree
-- on at least near_duplicate_min_similarity of their 64 bits. Compares every pair of a crawl's pages.
CREATE VIEW audit_near_duplicate_content AS
  SELECT crawl_id, url, target, round(1 - bits / 64.0, 4) AS similarity FROM (
    SELECT crawl_id, url, target, (
    ((x >> 0) & 1) + ((x >> 1) & 1) + ((x >> 2) & 1) + ((x >> 3) & 1) + ((x >> 4) & 1) + ((x >> 5) & 1) + ((x >> 6) & 1) + ((x >> 7) & 1) +
    ((x >> 8) & 1) + ((x >> 9) & 1) + ((x >> 10) & 1) + ((x >> 11) & 1) + ((x >> 12) & 1) + ((x >> 13) & 1) + ((x >> 14) & 1) + ((x >> 15) & 1) +
    ((x >> 16) & 1) + ((x >> 17) & 1) + ((x >> 18) & 1) + ((x >> 19) & 1) + ((x >> 20) & 1) + ((x >> 21) & 1) + ((x >> 22) & 1) + ((x >> 23) & 1) +
    ((x >> 24) & 1) + ((x >> 25) & 1) + ((x >> 26) & 1) + ((x >> 27) & 1) + ((x >> 28) & 1) + ((x >> 29) & 1) + ((x >> 30) & 1) + ((x >> 31) & 1) +
    ((x >> 32) & 1) + ((x >> 33) & 1) + ((x >> 34) & 1) + ((x >> 35) & 1) + ((x >> 36) & 1) + ((x >> 37) & 1) + ((x >> 38) & 1) + ((x >> 39) & 1) +
    ((x >> 40) & 1) + ((x >> 41) & 1) + ((x >> 42) & 1) + ((x >> 43) & 1) + ((x >> 44) & 1) + ((x >> 45) & 1) + ((x >> 46) & 1) + ((x >> 47) & 1) +
    ((x >> 48) & 1) + ((x >> 49) & 1) + ((x >> 50) & 1) + ((x >> 51) & 1) + ((x >> 52) & 1) + ((x >> 53) & 1) + ((x >> 54) & 1) + ((x >> 55) & 1) +
    ((x >> 56) & 1) + ((x >> 57) & 1) + ((x >> 58) & 1) + ((x >> 59) & 1) + ((x >> 60) & 1) + ((x >> 61) & 1) + ((x >> 62) & 1) + ((x >> 63) & 1)
    ) AS bits FROM (
      SELECT a.crawl_id, a.url, b.url AS target, (a.simhash | b.simhash) & ~(a.simhash & b.simhash) AS x
      FROM audit_pages a JOIN audit_pages b ON b.crawl_id = a.crawl_id AND b.url > a.url
      WHERE a.indexable = 1 AND b.indexable = 1 AND a.simhash IS NOT NULL AND b.simhash IS NOT NULL
        AND a.text_hash <> b.text_hash))
  WHERE 1 - bits / 64.0 >= (SELECT value FROM audit_settings WHERE key = 'near_duplicate_min_similarity');

CREATE VIEW audit_thin_content AS
  SELECT crawl_id, url, word_count AS words FROM audit_pages
  WHERE indexable = 1 AND word_count < (SELECT value FROM audit_settings WHERE key = 'thin_content_min_words');

-- Alternates A -> B (B not A) where B's row is an audited document without an alternate back to A.
-- An alternate that was never crawled is not judged.
CREATE VIEW audit_hreflang_missing_return AS
  SELECT a.crawl_id, a.url, json_extract(h.value, '$.url') AS target, json_extract(h.value, '$.lang') AS lang
  FROM audit_pages a, json_each(a.hreflang) h
  JOIN audit_pages b ON b.crawl_id = a.crawl_id AND b.url = json_extract(h.value, '$.url')
  WHERE a.hreflang IS NOT NULL AND a.hreflang <> '[]' AND json_extract(h.value, '$.url') <> a.url
    AND NOT EXISTS (SELECT 1 FROM json_each(b.hreflang) r WHERE json_extract(r.value, '$.url') = a.url);

CREATE VIEW audit_hreflang_broken AS
  SELECT crawl_id, url, target, lang, problem, status FROM (
    SELECT a.crawl_id, a.url, json_extract(h.value, '$.url') AS target, json_extract(h.value, '$.lang') AS lang,
           t.status,
           CASE
             WHEN t.redirects <> '[]' AND json_array_length(t.redirects) > 0 THEN 'redirects'
             WHEN t.status IS NULL OR t.status <> 200 THEN 'non-200'
             WHEN t.indexable_reason = 'canonicalised' THEN 'canonicalised'
           END AS problem
    FROM audit_pages a, json_each(a.hreflang) h
    JOIN pages t ON t.crawl_id = a.crawl_id AND t.url = json_extract(h.value, '$.url')
    WHERE a.hreflang IS NOT NULL AND a.hreflang <> '[]')
  WHERE problem IS NOT NULL;

CREATE VIEW audit_jsonld_invalid AS
  SELECT crawl_id, url, jsonld_invalid AS invalid, jsonld_count AS blocks FROM audit_pages WHERE jsonld_invalid > 0;

-- Sitemap URLs are the seeds (depth 0) whose discovered_from is the sitemap they were listed in.
CREATE VIEW audit_orphan_pages AS
  SELECT p.crawl_id, p.url, p.discovered_from AS sitemap
  FROM pages p
  WHERE p.depth = 0 AND p.discovered_from IS NOT NULL
    AND NOT EXISTS (
      SELECT 1 FROM links l JOIN pages s ON s.id = l.page_id
      WHERE l.target = p.url AND s.crawl_id = p.crawl_id AND s.id <> p.id);

CREATE VIEW audit_deep_pages AS
  SELECT crawl_id, url, depth FROM pages
  WHERE error IS NULL AND depth > (SELECT value FROM audit_settings WHERE key = 'deep_pages_max_depth');

CREATE VIEW audit_slow_pages AS
  SELECT crawl_id, url, elapsed_ms FROM pages
  WHERE elapsed_ms > (SELECT value FROM audit_settings WHERE key = 'slow_pages_max_ms');

CREATE VIEW audit_large_pages AS
  SELECT crawl_id, url, bytes FROM pages
  WHERE bytes > (SELECT value FROM audit_settings WHERE key = 'large_pages_max_bytes');

CREATE VIEW audit_images_missing_alt AS
  SELECT crawl_id, url, img_missing_alt AS missing, img_count AS images FROM audit_pages WHERE img_missing_alt > 0;

CREATE VIEW audit_sitemap_bad_urls AS
  SELECT crawl_id, url, sitemap, problem, status FROM (
    SELECT crawl_id, url, discovered_from AS sitemap, status,
           CASE
             WHEN redirects <> '[]' AND json_array_length(redirects) > 0 THEN 'redirects'
             WHEN indexable_reason IN ('noindex-header', 'noindex-meta') THEN 'noindex'
             ELSE indexable_reason
           END AS problem
    FROM pages WHERE depth = 0 AND discovered_from IS NOT NULL)
  WHERE problem IS NOT NULL;
