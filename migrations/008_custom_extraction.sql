-- metacrawl schema 8: the crawl's own fields (`--extract` rules) and microdata.

-- One row per value of a custom extraction rule: a plain rule has one row (position 0; value NULL when nothing
-- matched or the rule failed on the page), a keep-every-match rule (`name[]=`) one row per match in document
-- order (none when nothing matched). Pivot rule names into columns with max(value) FILTER (WHERE rule = '...').
CREATE TABLE extracts (
  page_id   INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  rule      TEXT    NOT NULL,          -- the rule's name, without []
  position  INTEGER NOT NULL,          -- 0-based match order
  value     TEXT,
  PRIMARY KEY (page_id, rule, position)
) WITHOUT ROWID;

-- The rules that failed on a page: a JSON object {"<rule name>": "<why>"}, NULL when none did.
ALTER TABLE pages ADD COLUMN extract_errors TEXT;

-- Microdata items (itemscope/itemtype/itemprop) beside the JSON-LD blocks: one row per top-level item, in
-- document order, in the HTML standard's JSON form {"type": [...], "id": ..., "properties": {...}}.
CREATE TABLE microdata (
  page_id   INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,          -- 0-based document order
  type      TEXT    NOT NULL,          -- the item's itemtype URLs, space-separated ('' when untyped)
  json      TEXT    NOT NULL,
  PRIMARY KEY (page_id, position)
) WITHOUT ROWID;

-- Beside jsonld_count / jsonld_types: top-level microdata items found, and every itemtype on the page (nested
-- items included), unique, space-separated, as written (e.g. 'http://schema.org/Product http://schema.org/Offer').
ALTER TABLE pages ADD COLUMN microdata_count INTEGER;
ALTER TABLE pages ADD COLUMN microdata_types TEXT;
