-- metacrawl schema 11: a page's links and meta tags packed in one row each. Instead of one row per link
-- (~155 per page) and per meta tag (~80), a page has one `link_lists` row holding its links as a JSON array
-- and one `meta_lists` row holding a JSON array of `meta_tags` ids, in document order; a meta tag that repeats
-- across pages (name and content) is one dictionary row referenced from every page. The views
-- `links` and `meta` unpack them with json_each and keep their columns, so every earlier query answers the same
-- rows. "Who links to X" reads `link_targets`, built at the end of a crawl, through the `link_sources` view,
-- which also scans the pages written since (so it is right during a crawl too). Converted in place.

-- A distinct meta tag: its (attr, key) name and its content.
CREATE TABLE meta_tags (
  id          INTEGER PRIMARY KEY,
  name_id     INTEGER NOT NULL REFERENCES meta_names(id),
  content_id  INTEGER REFERENCES strings(id) -- NULL when the tag had no content attribute
);

-- A page's links in document order (at most --max-links): `links` is a JSON array with one element per link,
-- the integer url_id * 134217728 + text_id (url_id: the link URL without its #fragment in `urls`; text_id: the
-- anchor text in `strings`) for a link without fragment or rel, else the array [url_id, text_id, fragment_id,
-- rel_id] (fragment_id: what followed the first '#', '' for a bare '#', in `strings`, NULL when none; rel_id:
-- the rel attribute in `strings`, NULL when absent; trailing NULLs may be left out).
CREATE TABLE link_lists (
  page_id  INTEGER PRIMARY KEY REFERENCES pages(id) ON DELETE CASCADE,
  links    TEXT NOT NULL
);

-- A page's meta tags: `tags` is a JSON array of meta_tags ids in document order.
CREATE TABLE meta_lists (
  page_id  INTEGER PRIMARY KEY REFERENCES pages(id) ON DELETE CASCADE,
  tags     TEXT NOT NULL
);

-- "Who links to URL X": one row per (link target, page owning the link list), for every page up to
-- link_targets_upto.page_id; the writer keeps it exact for those pages, the end of a crawl (or an idle
-- `store`) adds the pages written since. Read it through `link_sources`, never alone.
CREATE TABLE link_targets (
  url_id   INTEGER NOT NULL,
  page_id  INTEGER NOT NULL,
  PRIMARY KEY (url_id, page_id)
) WITHOUT ROWID;
CREATE TABLE link_targets_upto (page_id INTEGER NOT NULL);

-- The rows of schema 10, converted (fragments and rels become strings, found through a temporary index). json()
-- again around each element: an array made in the subquery reaches the aggregate as text once sorted.
INSERT INTO strings (s)
  SELECT fragment FROM link_rows WHERE fragment IS NOT NULL UNION SELECT rel FROM link_rows WHERE rel IS NOT NULL;
CREATE INDEX strings_convert ON strings (s);
INSERT INTO link_lists (page_id, links)
  SELECT page_id, json_group_array(json(link)) FROM (
    SELECT page_id,
           CASE WHEN fragment IS NULL AND rel IS NULL AND url_id < 67108864 AND text_id < 134217728
                THEN url_id * 134217728 + text_id
                ELSE json_array(url_id, text_id, (SELECT max(id) FROM strings WHERE s = fragment),
                                (SELECT max(id) FROM strings WHERE s = rel)) END AS link
    FROM link_rows ORDER BY page_id, position)
  GROUP BY page_id;
DROP INDEX strings_convert;

INSERT INTO meta_tags (name_id, content_id) SELECT DISTINCT name_id, content_id FROM meta_rows;
CREATE INDEX meta_tags_convert ON meta_tags (name_id, content_id);
INSERT INTO meta_lists (page_id, tags)
  SELECT page_id, json_group_array(id) FROM (
    SELECT m.page_id, t.id FROM meta_rows m
    JOIN meta_tags t ON t.name_id = m.name_id AND t.content_id IS m.content_id
    ORDER BY m.page_id, m.position)
  GROUP BY page_id;
DROP INDEX meta_tags_convert;

INSERT INTO link_targets (url_id, page_id) SELECT DISTINCT url_id, page_id FROM link_rows ORDER BY 1, 2;
INSERT INTO link_targets_upto (page_id) SELECT coalesce(max(id), 0) FROM pages;

DROP VIEW audit_orphan_pages;
DROP VIEW links;
DROP VIEW meta;
DROP TABLE link_rows;
DROP TABLE meta_rows;

-- Every outgoing link of a page, in document order; `target` is `url` without its #fragment.
CREATE VIEW links (page_id, position, url, text, rel, target) AS
  SELECT p.id, j.key,
         CASE WHEN j.type = 'integer' OR json_extract(j.value, '$[2]') IS NULL THEN u.url
              ELSE u.url || '#' || (SELECT s FROM strings WHERE id = json_extract(j.value, '$[2]')) END,
         (SELECT s FROM strings
          WHERE id = CASE WHEN j.type = 'integer' THEN j.value & 134217727 ELSE json_extract(j.value, '$[1]') END),
         CASE WHEN j.type = 'integer' THEN NULL
              ELSE (SELECT s FROM strings WHERE id = json_extract(j.value, '$[3]')) END, u.url
  FROM link_lists l
  JOIN pages p ON (p.id = l.page_id OR p.content_of = l.page_id)
  JOIN json_each(l.links) j
  JOIN urls u ON u.id = CASE WHEN j.type = 'integer' THEN j.value >> 27 ELSE json_extract(j.value, '$[0]') END;

-- Every <meta> tag of a page, in document order.
CREATE VIEW meta (page_id, position, attr, key, content) AS
  SELECT p.id, j.key, n.attr, n.key, (SELECT s FROM strings WHERE id = t.content_id)
  FROM meta_lists m
  JOIN pages p ON (p.id = m.page_id OR p.content_of = m.page_id)
  JOIN json_each(m.tags) j
  JOIN meta_tags t ON t.id = j.value
  JOIN meta_names n ON n.id = t.name_id;

-- Every (link target, page) pair: the pages linking to the URL (with or without a #fragment; a page may come twice,
-- use DISTINCT): `target` is the
-- URL without its fragment (as in `links`), `page_id` the page owning the link list (pages sharing it through
-- content_of link there too). Looked up by `target` in link_targets up to link_targets_upto, read from the
-- link lists after it (during a crawl), so a lookup by target is fast once a crawl is finished, and right always:
--   SELECT DISTINCT p.url FROM link_sources l JOIN pages p ON (p.id = l.page_id OR p.content_of = l.page_id)
--   WHERE l.target = 'https://example.com/';
CREATE VIEW link_sources (target, page_id) AS
  SELECT u.url, t.page_id FROM urls u JOIN link_targets t ON t.url_id = u.id
  UNION ALL
  SELECT DISTINCT u.url, l.page_id
  FROM link_lists l JOIN json_each(l.links) j
  JOIN urls u ON u.id = CASE WHEN j.type = 'integer' THEN j.value >> 27 ELSE json_extract(j.value, '$[0]') END
  WHERE l.page_id > (SELECT max(page_id) FROM link_targets_upto);

-- Orphans: "no crawled page links to it", looked up as link_sources does: in link_targets, then in the link
-- lists of the pages after it (none once the crawl is finished), each an index search.
CREATE VIEW audit_orphan_pages AS
  SELECT p.crawl_id, p.url, p.discovered_from AS sitemap
  FROM pages p
  WHERE p.depth = 0 AND p.discovered_from IS NOT NULL
    AND NOT EXISTS (
      SELECT 1 FROM urls u JOIN link_targets t ON t.url_id = u.id
      JOIN pages s ON (s.id = t.page_id OR s.content_of = t.page_id)
      WHERE u.url = p.url AND s.crawl_id = p.crawl_id AND s.id <> p.id)
    AND NOT EXISTS (
      SELECT 1 FROM link_lists l CROSS JOIN json_each(l.links) j
      CROSS JOIN urls u ON u.id = CASE WHEN j.type = 'integer' THEN j.value >> 27 ELSE json_extract(j.value, '$[0]') END
      JOIN pages s ON (s.id = l.page_id OR s.content_of = l.page_id)
      WHERE l.page_id > (SELECT max(page_id) FROM link_targets_upto)
        AND u.url = p.url AND s.crawl_id = p.crawl_id AND s.id <> p.id);

PRAGMA analysis_limit = 1000;
ANALYZE;
