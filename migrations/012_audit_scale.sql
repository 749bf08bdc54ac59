-- metacrawl schema 12: the site audit at a million pages. The same checks, answering the same rows, written so
-- that none compares every page with every other:
--   - the duplicate checks (title, description, h1, text) count each group once with a window function, where
--     schema 7 counted the group again for every page of it (a scan of the crawl per page without an index);
--   - broken-links and links-to-redirects start from the few target rows that are broken or redirect and find
--     the pages linking to them in `link_targets` ("who links to X", migrations/011_packed.sql), where schema 7
--     looked up the target of every link of every page; the pages written since link_targets was last brought
--     up to date (during a crawl) are read from their link lists, so a query during a crawl answers the same rows.
-- near-duplicate-content keeps its view (every pair of pages compared: exact, slow past tens of thousands of
-- pages); `metacrawl audit` and the explorer compute its rows without it (src/store/near-duplicates.ts).

-- audit_pages as in schema 7, the same rows, without its "is another row this document?" lookup for the rows
-- fetched without a redirect: such a row always wins (another row of the same document URL has another
-- requested URL, so it was redirected), so only redirected rows need the lookup.
DROP VIEW audit_pages;
CREATE VIEW audit_pages AS
  SELECT p.crawl_id, p.id AS page_id, coalesce(p.final_url, p.url) AS url, p.url AS requested_url,
         p.status, p.indexable, p.indexable_reason, p.title, p.title_count, p.description, p.h1, p.h1_count,
         p.canonical, p.canonical_count, p.word_count, p.text_hash, p.simhash, p.img_count, p.img_missing_alt,
         p.jsonld_count, p.jsonld_invalid, p.hreflang, p.depth
  FROM pages p
  WHERE p.error IS NULL AND p.status IS NOT NULL AND p.word_count IS NOT NULL
    AND (p.url = coalesce(p.final_url, p.url) OR NOT EXISTS (
      SELECT 1 FROM pages q
      WHERE q.crawl_id = p.crawl_id AND coalesce(q.final_url, q.url) = coalesce(p.final_url, p.url)
        AND q.id <> p.id AND q.error IS NULL AND q.status IS NOT NULL AND q.word_count IS NOT NULL
        AND ((q.url = coalesce(q.final_url, q.url)) > (p.url = coalesce(p.final_url, p.url))
          OR ((q.url = coalesce(q.final_url, q.url)) = (p.url = coalesce(p.final_url, p.url)) AND q.id < p.id))));

DROP VIEW audit_title_duplicate;
CREATE VIEW audit_title_duplicate AS
  SELECT crawl_id, url, title, pages FROM (
    SELECT crawl_id, url, title, count(*) OVER (PARTITION BY crawl_id, title) AS pages
    FROM audit_pages WHERE indexable = 1 AND coalesce(title, '') <> '')
  WHERE pages > 1;

DROP VIEW audit_description_duplicate;
CREATE VIEW audit_description_duplicate AS
  SELECT crawl_id, url, description, pages FROM (
    SELECT crawl_id, url, trim(description) AS description,
           count(*) OVER (PARTITION BY crawl_id, trim(description)) AS pages
    FROM audit_pages WHERE indexable = 1 AND trim(coalesce(description, '')) <> '')
  WHERE pages > 1;

DROP VIEW audit_h1_duplicate;
CREATE VIEW audit_h1_duplicate AS
  SELECT crawl_id, url, h1, pages FROM (
    SELECT crawl_id, url, h1, count(*) OVER (PARTITION BY crawl_id, h1) AS pages
    FROM audit_pages WHERE indexable = 1 AND coalesce(h1, '') <> '')
  WHERE pages > 1;

-- One row per page of a group of indexable pages with the same visible text; `group` is the text hash.
DROP VIEW audit_duplicate_content;
CREATE VIEW audit_duplicate_content AS
  SELECT crawl_id, url, "group", words, pages FROM (
    SELECT crawl_id, url, text_hash AS "group", word_count AS words,
           count(*) OVER (PARTITION BY crawl_id, text_hash) AS pages
    FROM audit_pages WHERE indexable = 1 AND text_hash IS NOT NULL)
  WHERE pages > 1;

-- The links of audited documents to broken and to redirected rows, found from the target's side: the targets of
-- the crawl that qualify, the link lists linking to them in link_targets, and, for the link lists written after
-- link_targets was last brought up to date (none once a crawl is finished), the lists themselves. One row per
-- (document, target) with the first such link's anchor, as audit_links (schema 7) gives it.
-- Broken and redirected rows are few: partial indexes find them without reading the crawl's rows (and cost the
-- writer nothing for the other rows). CROSS JOINs fix the join order: from the targets.
CREATE INDEX pages_redirected ON pages (crawl_id) WHERE redirects <> '[]';
CREATE INDEX pages_broken ON pages (crawl_id) WHERE status >= 400 OR error IS NOT NULL;

DROP VIEW audit_broken_links;
CREATE VIEW audit_broken_links AS
  SELECT crawl_id, url, target,
         (SELECT text FROM links x WHERE x.page_id = p.page_id AND x.position = p.position) AS anchor, status, error
  FROM (
    SELECT g.*,
           (SELECT min(j.key) FROM link_lists l JOIN json_each(l.links) j
            JOIN urls u ON u.id = CASE WHEN j.type = 'integer' THEN j.value >> 27 ELSE json_extract(j.value, '$[0]') END
            WHERE l.page_id = g.owner AND u.url = g.target) AS position
    FROM (
      SELECT o.crawl_id, d.page_id, d.url, t.url AS target, t.status, t.error, min(o.owner) AS owner
      FROM (
        SELECT t.crawl_id, t.id AS target_id, s.id AS page_id, lt.page_id AS owner
        FROM pages t CROSS JOIN urls u ON u.url = t.url CROSS JOIN link_targets lt ON lt.url_id = u.id
        CROSS JOIN pages s ON (s.id = lt.page_id OR s.content_of = lt.page_id)
        WHERE (t.status >= 400 OR t.error IS NOT NULL) AND (t.status >= 400 OR t.error NOT IN ('NOT_HTML', 'BINARY_CONTENT', 'ROBOTS_DISALLOWED', 'CANCELLED')) AND s.crawl_id = t.crawl_id
        UNION ALL
        SELECT t.crawl_id, t.id, s.id, l.page_id
        FROM link_lists l CROSS JOIN pages s ON (s.id = l.page_id OR s.content_of = l.page_id)
        CROSS JOIN json_each(l.links) j
        CROSS JOIN urls u ON u.id = CASE WHEN j.type = 'integer' THEN j.value >> 27 ELSE json_extract(j.value, '$[0]') END
        CROSS JOIN pages t ON t.crawl_id = s.crawl_id AND t.url = u.url
        WHERE l.page_id > (SELECT max(page_id) FROM link_targets_upto) AND (t.status >= 400 OR t.error IS NOT NULL) AND (t.status >= 400 OR t.error NOT IN ('NOT_HTML', 'BINARY_CONTENT', 'ROBOTS_DISALLOWED', 'CANCELLED'))
      ) o
      CROSS JOIN pages t ON t.id = o.target_id
      CROSS JOIN audit_pages d ON d.page_id = o.page_id
      GROUP BY o.crawl_id, d.page_id, t.id) g) p;

DROP VIEW audit_links_to_redirects;
CREATE VIEW audit_links_to_redirects AS
  SELECT crawl_id, url, target,
         (SELECT text FROM links x WHERE x.page_id = p.page_id AND x.position = p.position) AS anchor, redirects_to, hops, status
  FROM (
    SELECT g.*,
           (SELECT min(j.key) FROM link_lists l JOIN json_each(l.links) j
            JOIN urls u ON u.id = CASE WHEN j.type = 'integer' THEN j.value >> 27 ELSE json_extract(j.value, '$[0]') END
            WHERE l.page_id = g.owner AND u.url = g.target) AS position
    FROM (
      SELECT o.crawl_id, d.page_id, d.url, t.url AS target, t.final_url AS redirects_to, json_array_length(t.redirects) AS hops, t.status, min(o.owner) AS owner
      FROM (
        SELECT t.crawl_id, t.id AS target_id, s.id AS page_id, lt.page_id AS owner
        FROM pages t CROSS JOIN urls u ON u.url = t.url CROSS JOIN link_targets lt ON lt.url_id = u.id
        CROSS JOIN pages s ON (s.id = lt.page_id OR s.content_of = lt.page_id)
        WHERE (t.redirects <> '[]' AND json_array_length(t.redirects) > 0) AND s.crawl_id = t.crawl_id
        UNION ALL
        SELECT t.crawl_id, t.id, s.id, l.page_id
        FROM link_lists l CROSS JOIN pages s ON (s.id = l.page_id OR s.content_of = l.page_id)
        CROSS JOIN json_each(l.links) j
        CROSS JOIN urls u ON u.id = CASE WHEN j.type = 'integer' THEN j.value >> 27 ELSE json_extract(j.value, '$[0]') END
        CROSS JOIN pages t ON t.crawl_id = s.crawl_id AND t.url = u.url
        WHERE l.page_id > (SELECT max(page_id) FROM link_targets_upto) AND (t.redirects <> '[]' AND json_array_length(t.redirects) > 0)
      ) o
      CROSS JOIN pages t ON t.id = o.target_id
      CROSS JOIN audit_pages d ON d.page_id = o.page_id
      GROUP BY o.crawl_id, d.page_id, t.id) g) p;

-- Every check's count of findings per crawl, stored at the end of a crawl (and by an idle `metacrawl store`) so
-- the explorer's Audit tab and `metacrawl audit` need not count a million pages again. A count holds while the
-- crawl's pages are as they were (`pages_version`, bumped by the triggers below on every write to a page of
-- the crawl, and to a page whose links a page of the crawl shares) and the thresholds and schema are the same
-- (`settings`); otherwise it is ignored and the check counted afresh, so a crawl being written answers right.
ALTER TABLE crawls ADD COLUMN pages_version INTEGER NOT NULL DEFAULT 0;
CREATE TABLE audit_counts (
  crawl_id       INTEGER NOT NULL REFERENCES crawls(id) ON DELETE CASCADE,
  check_id       TEXT    NOT NULL,
  count          INTEGER NOT NULL,
  pages_version  INTEGER NOT NULL,  -- crawls.pages_version when counted
  settings       TEXT    NOT NULL,  -- the schema version and audit_settings when counted (src/store/audit.ts)
  PRIMARY KEY (crawl_id, check_id)
) WITHOUT ROWID;
CREATE TRIGGER pages_version_insert AFTER INSERT ON pages BEGIN
  UPDATE crawls SET pages_version = pages_version + 1 WHERE id = NEW.crawl_id;
END;
CREATE TRIGGER pages_version_update AFTER UPDATE ON pages BEGIN
  UPDATE crawls SET pages_version = pages_version + 1
  WHERE id IN (NEW.crawl_id, OLD.crawl_id) OR id IN (SELECT crawl_id FROM pages WHERE content_of = OLD.id);
END;
CREATE TRIGGER pages_version_delete AFTER DELETE ON pages BEGIN
  UPDATE crawls SET pages_version = pages_version + 1
  WHERE id = OLD.crawl_id OR id IN (SELECT crawl_id FROM pages WHERE content_of = OLD.id);
END;
