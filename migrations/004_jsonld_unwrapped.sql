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

-- Repair rows written before: unwrap what the extractor unwrapped (the same wrapper grammar, step by step:
-- optional `//` or `/*`, `<!--` or `<![CDATA[`, optional `*/`; mirrored at the end), keep the text as found
-- in `raw`, and only where the unwrapped text is valid JSON. Rows that cannot be repaired become valid = 0.
CREATE TEMP TABLE jsonld_unwrap (rid INTEGER PRIMARY KEY, t TEXT);

INSERT INTO jsonld_unwrap (rid, t)
SELECT rowid, trim(json, ' ' || char(9, 10, 12, 13)) FROM jsonld
WHERE valid = 1 AND substr(ltrim(json, ' ' || char(9, 10, 12, 13)), 1, 1) IN ('<', '/');

-- Leading: optional `//` or `/*` (then spaces/tabs), a required `<!--` or `<![CDATA[`, an optional `*/`.
UPDATE jsonld_unwrap SET t = ltrim(substr(t, 3), ' ' || char(9)) WHERE substr(t, 1, 2) IN ('//', '/*');
UPDATE jsonld_unwrap SET t = CASE
  WHEN substr(t, 1, 4) = '<!--' THEN substr(t, 5)
  WHEN substr(t, 1, 9) = '<![CDATA[' THEN substr(t, 10)
END;
UPDATE jsonld_unwrap SET t = substr(ltrim(t, ' ' || char(9)), 3)
WHERE substr(ltrim(t, ' ' || char(9)), 1, 2) = '*/';

-- Trailing: an optional `*/` (after spaces/tabs), a required `-->` or `]]>`, an optional `//` or `/*` before it.
UPDATE jsonld_unwrap SET t = rtrim(substr(t, 1, length(t) - 2), ' ' || char(9)) WHERE substr(t, -2) = '*/';
UPDATE jsonld_unwrap SET t = CASE WHEN substr(t, -3) IN ('-->', ']]>') THEN substr(t, 1, length(t) - 3) END;
UPDATE jsonld_unwrap SET t = substr(rtrim(t, ' ' || char(9)), 1, length(rtrim(t, ' ' || char(9))) - 2)
WHERE substr(rtrim(t, ' ' || char(9)), -2) IN ('//', '/*');

UPDATE jsonld SET raw = jsonld.json, json = trim(u.t, ' ' || char(9, 10, 13))
FROM jsonld_unwrap u
WHERE jsonld.rowid = u.rid AND u.t IS NOT NULL AND json_valid(trim(u.t, ' ' || char(9, 10, 13)));

DROP TABLE jsonld_unwrap;

-- Whatever is still marked valid must be JSON that SQLite accepts (wrappers the steps above did not match,
-- blocks nested deeper than 1000), and each page's count of invalid blocks follows.
UPDATE jsonld SET valid = 0 WHERE valid = 1 AND NOT json_valid(json);
UPDATE pages SET jsonld_invalid = (SELECT count(*) FROM jsonld j WHERE j.page_id = pages.id AND j.valid = 0)
WHERE id IN (SELECT page_id FROM jsonld WHERE valid = 0);
