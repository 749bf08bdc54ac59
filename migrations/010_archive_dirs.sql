-- metacrawl schema 10: where each crawl's archive lives, so `metacrawl reextract` finds it without
-- --from-archive. One row per crawl and archive directory its pages were written to (a fleet whose workers
-- write to different directories has several), as the worker resolved it: an absolute path on that worker's
-- machine. Crawls archived before this schema have none.
CREATE TABLE crawl_archives (
  crawl_id   INTEGER NOT NULL REFERENCES crawls(id) ON DELETE CASCADE,
  dir        TEXT    NOT NULL,
  first_seen TEXT    NOT NULL,          -- when the store writer first saw a page archived there (ISO 8601)
  PRIMARY KEY (crawl_id, dir)
) WITHOUT ROWID;
