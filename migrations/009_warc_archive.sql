-- metacrawl schema 9: where a page's response is archived, when the crawl ran with --archive <dir>.
-- The record holding the page's payload: a gzip member of `warc_length` bytes at byte `warc_offset` of the file
-- `warc_file` (a name inside the archive directory). For an identical-payload revisit, the earlier response
-- whose payload it repeats. NULL when the crawl kept no archive or nothing was received.
ALTER TABLE pages ADD COLUMN warc_file   TEXT;
ALTER TABLE pages ADD COLUMN warc_offset INTEGER;
ALTER TABLE pages ADD COLUMN warc_length INTEGER;
