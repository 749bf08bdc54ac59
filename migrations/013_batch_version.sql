-- metacrawl schema 13: the store writer bumps `crawls.pages_version` once per batch instead of once per page.
--
-- Schema 12's trigger ran an UPDATE of the crawl's row for every page inserted (4-6% of the writer's time). The
-- writer now puts a row in `pages_version_deferred` at the start of its write transaction, inserts its pages,
-- then adds to each crawl's pages_version the number of pages it inserted in that crawl (exactly what the trigger
-- would have added) and deletes the row, all in the same transaction: no other connection ever sees the row
-- (it is never committed), and while it is there only that transaction can insert pages. Any other insert (a
-- tool, the sqlite3 shell, an older code path) finds the table empty and is counted by the trigger as before.
-- The update and delete triggers of schema 12 are unchanged.
CREATE TABLE pages_version_deferred (
  id INTEGER PRIMARY KEY
);
DROP TRIGGER pages_version_insert;
CREATE TRIGGER pages_version_insert AFTER INSERT ON pages
WHEN NOT EXISTS (SELECT 1 FROM pages_version_deferred)
BEGIN
  UPDATE crawls SET pages_version = pages_version + 1 WHERE id = NEW.crawl_id;
END;
