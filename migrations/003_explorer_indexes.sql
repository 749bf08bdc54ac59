-- metacrawl schema 3: a `host` column and the indexes behind `metacrawl serve` (the results explorer),
-- so its views stay fast on a crawl of a million pages. Nothing here changes what the writer stores.

-- The host (and port, when the URL has one) of the submitted URL, computed from `url`, never stored:
--   SELECT host, count(*) FROM pages WHERE crawl_id = 1 GROUP BY host ORDER BY 2 DESC LIMIT 20;
ALTER TABLE pages ADD COLUMN host TEXT GENERATED ALWAYS AS (
  substr(url, instr(url, '://') + 3, instr(substr(url, instr(url, '://') + 3) || '/', '/') - 1)
) VIRTUAL;

-- Filters and sorts of a crawl's page table; pages per host, status codes and the fetch-time histogram.
CREATE INDEX pages_crawl_host ON pages (crawl_id, host, url);
CREATE INDEX pages_crawl_status ON pages (crawl_id, status);
CREATE INDEX pages_crawl_elapsed ON pages (crawl_id, elapsed_ms);
CREATE INDEX pages_crawl_title ON pages (crawl_id, title);

-- "Lacks a field" filters and the share of pages with OG / Twitter / JSON-LD / canonical: each partial
-- index holds only the fetched pages that lack the field, usually a small minority, so counting is cheap,
-- and in URL order, so the filtered table's first page needs no sort.
CREATE INDEX pages_lacks_title ON pages (crawl_id, url) WHERE error IS NULL AND title IS NULL;
CREATE INDEX pages_lacks_description ON pages (crawl_id, url) WHERE error IS NULL AND description IS NULL;
CREATE INDEX pages_lacks_og_title ON pages (crawl_id, url) WHERE error IS NULL AND og_title IS NULL;
CREATE INDEX pages_lacks_og_image ON pages (crawl_id, url) WHERE error IS NULL AND og_image IS NULL;
CREATE INDEX pages_lacks_twitter_card ON pages (crawl_id, url) WHERE error IS NULL AND twitter_card IS NULL;
CREATE INDEX pages_lacks_canonical ON pages (crawl_id, url) WHERE error IS NULL AND canonical IS NULL;
CREATE INDEX pages_lacks_jsonld ON pages (crawl_id, url) WHERE error IS NULL AND jsonld_count = 0;
CREATE INDEX pages_noindex ON pages (crawl_id, url) WHERE error IS NULL AND instr(lower(robots), 'noindex') > 0;
