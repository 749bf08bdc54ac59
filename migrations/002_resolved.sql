-- metacrawl schema 2: resolved fields, one answer per question, chosen by ordered fallbacks over
-- Open Graph, Twitter, JSON-LD, Dublin Core and plain HTML. NULL when no source had a value (and on failures).
ALTER TABLE pages ADD COLUMN best_title       TEXT; -- og:title > twitter:title > <title> > <h1>
ALTER TABLE pages ADD COLUMN best_description TEXT;
ALTER TABLE pages ADD COLUMN best_image       TEXT; -- absolute URL
ALTER TABLE pages ADD COLUMN best_url         TEXT; -- canonical-ish URL of the page
ALTER TABLE pages ADD COLUMN site_name        TEXT;
ALTER TABLE pages ADD COLUMN author           TEXT;
ALTER TABLE pages ADD COLUMN published_at     TEXT; -- as found (usually ISO 8601)
ALTER TABLE pages ADD COLUMN modified_at      TEXT;
ALTER TABLE pages ADD COLUMN page_type        TEXT; -- e.g. article, product, website
ALTER TABLE pages ADD COLUMN favicon          TEXT; -- absolute URL
ALTER TABLE pages ADD COLUMN feeds            TEXT; -- JSON array of feed URLs (RSS/Atom/JSON Feed)
ALTER TABLE pages ADD COLUMN hreflang         TEXT; -- JSON array of {"lang","url"} alternates
ALTER TABLE pages ADD COLUMN robots           TEXT; -- <meta name="robots"> content
ALTER TABLE pages ADD COLUMN keywords         TEXT; -- <meta name="keywords"> content
ALTER TABLE pages ADD COLUMN jsonld_types     TEXT; -- every JSON-LD @type on the page, unique, space-separated

-- The same JSON-LD types, one row each, so "pages of type X" is an indexed lookup:
--   SELECT p.url FROM pages p JOIN page_jsonld_types t ON t.page_id = p.id WHERE t.type = 'Product';
CREATE TABLE page_jsonld_types (
  page_id  INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  type     TEXT    NOT NULL,
  PRIMARY KEY (page_id, type)
) WITHOUT ROWID;
CREATE INDEX page_jsonld_types_type ON page_jsonld_types (type);
