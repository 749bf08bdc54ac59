-- metacrawl schema 4: a JSON-LD row marked valid holds JSON that SQLite's json functions accept.
-- Before, a block recovered from a `<!-- … -->` or `<![CDATA[ … ]]>` wrapper was stored with its wrapper in
-- `json` while marked valid = 1, so json_extract over valid rows failed with "malformed JSON".
-- From now on:
--   json   the block's JSON with any comment/CDATA wrapper removed (the text as found when nothing was removed,
--          or when the block is invalid)
--   raw    the script text as found, only when it differs from json (a wrapper was removed); NULL otherwise,
--          so coalesce(raw, json) is always the text as found
--   valid  1 only when json_valid(json) = 1 (JSON that nests at most 1000 deep, SQLite's limit)
ALTER TABLE jsonld ADD COLUMN raw TEXT;

-- Repair rows written before, in one pass over the table: collect the rows marked valid that SQLite rejects
-- (wrapped blocks, blocks nested deeper than 1000), unwrap what the extractor unwraps (the same wrapper grammar,
-- step by step: optional `//` or `/*`, `<!--` or `<![CDATA[`, optional `*/`; mirrored at the end), store the
-- unwrapped JSON with the text as found in `raw`, and mark the rest valid = 0. Every row is kept.
CREATE TEMP TABLE jsonld_fix (rid INTEGER PRIMARY KEY, page_id INTEGER NOT NULL, t TEXT);

INSERT INTO jsonld_fix (rid, page_id, t)
SELECT rowid, page_id, trim(json, ' ' || char(9, 10, 12, 13)) FROM jsonld WHERE valid = 1 AND NOT json_valid(json);

-- Leading: optional `//` or `/*` (then spaces/tabs), a required `<!--` or `<![CDATA[` (else t becomes NULL),
-- an optional `*/` after spaces/tabs.
UPDATE jsonld_fix SET t = ltrim(substr(t, 3), ' ' || char(9)) WHERE substr(t, 1, 2) IN ('//', '/*');
UPDATE jsonld_fix SET t = CASE
  WHEN substr(t, 1, 4) = '<!--' THEN substr(t, 5)
  WHEN substr(t, 1, 9) = '<![CDATA[' THEN substr(t, 10)
END;
UPDATE jsonld_fix SET t = substr(ltrim(t, ' ' || char(9)), 3) WHERE substr(ltrim(t, ' ' || char(9)), 1, 2) = '*/';

-- Trailing: an optional `*/` (spaces/tabs before it), a required `-->` or `]]>`, an optional `//` or `/*` before it.
UPDATE jsonld_fix SET t = rtrim(substr(t, 1, length(t) - 2), ' ' || char(9)) WHERE substr(t, -2) = '*/';
UPDATE jsonld_fix SET t = CASE WHEN substr(t, -3) IN ('-->', ']]>') THEN substr(t, 1, length(t) - 3) END;
UPDATE jsonld_fix SET t = substr(rtrim(t, ' ' || char(9)), 1, length(rtrim(t, ' ' || char(9))) - 2)
WHERE substr(rtrim(t, ' ' || char(9)), -2) IN ('//', '/*');
UPDATE jsonld_fix SET t = trim(t, ' ' || char(9, 10, 13));

UPDATE jsonld SET raw = json, json = (SELECT t FROM jsonld_fix WHERE rid = jsonld.rowid)
WHERE rowid IN (SELECT rid FROM jsonld_fix WHERE json_valid(t));
DELETE FROM jsonld_fix WHERE json_valid(t);
UPDATE jsonld SET valid = 0 WHERE rowid IN (SELECT rid FROM jsonld_fix);
UPDATE pages SET jsonld_invalid = (SELECT count(*) FROM jsonld j WHERE j.page_id = pages.id AND j.valid = 0)
WHERE id IN (SELECT page_id FROM jsonld_fix);

DROP TABLE jsonld_fix;
