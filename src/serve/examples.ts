/** Example queries for the SQL box (and the README): each runs as-is on any metacrawl database. */
export interface ExampleQuery {
  title: string;
  sql: string;
}

export const EXAMPLE_QUERIES: readonly ExampleQuery[] = [
  {
    title: 'Crawls and their counts',
    sql: `SELECT c.name, count(*) AS pages, sum(p.error IS NULL) AS ok, sum(p.error IS NOT NULL) AS failed,
       min(p.fetched_at) AS started, max(p.fetched_at) AS finished
FROM crawls c JOIN pages p ON p.crawl_id = c.id
GROUP BY c.id ORDER BY c.id DESC`,
  },
  {
    title: 'Failures by error code',
    sql: `SELECT error, count(*) AS pages FROM pages WHERE error IS NOT NULL GROUP BY error ORDER BY pages DESC`,
  },
  {
    title: 'Pages per host (top 20)',
    sql: `SELECT host, count(*) AS pages FROM pages GROUP BY host ORDER BY pages DESC LIMIT 20`,
  },
  {
    title: 'Fetched pages without og:image',
    sql: `SELECT url, title FROM pages WHERE error IS NULL AND og_image IS NULL ORDER BY url LIMIT 100`,
  },
  {
    title: 'Pages marked noindex',
    sql: `SELECT url, robots FROM pages WHERE instr(lower(robots), 'noindex') > 0 ORDER BY url LIMIT 100`,
  },
  {
    title: 'Slowest pages',
    sql: `SELECT url, elapsed_ms, bytes FROM pages WHERE elapsed_ms IS NOT NULL ORDER BY elapsed_ms DESC LIMIT 50`,
  },
  {
    title: 'Pages of a JSON-LD type',
    sql: `SELECT p.url, p.best_title FROM pages p JOIN page_jsonld_types t ON t.page_id = p.id
WHERE t.type = 'Product' ORDER BY p.url LIMIT 100`,
  },
  {
    title: 'JSON-LD types, most common first',
    sql: `SELECT type, count(*) AS pages FROM page_jsonld_types GROUP BY type ORDER BY pages DESC`,
  },
  {
    title: 'Most-linked URLs (fragments ignored)',
    sql: `SELECT target, count(*) AS inlinks FROM links GROUP BY target ORDER BY inlinks DESC LIMIT 50`,
  },
  {
    title: 'Duplicate titles',
    sql: `SELECT title, count(*) AS pages FROM pages WHERE title IS NOT NULL
GROUP BY title HAVING count(*) > 1 ORDER BY pages DESC LIMIT 50`,
  },
  {
    title: 'Redirected pages',
    sql: `SELECT url, final_url, json_array_length(redirects) AS hops FROM pages
WHERE redirects <> '[]' ORDER BY hops DESC LIMIT 100`,
  },
  {
    title: 'A meta tag across pages (og:type)',
    sql: `SELECT m.content AS og_type, count(*) AS pages FROM meta m
WHERE m.key = 'og:type' GROUP BY m.content ORDER BY pages DESC`,
  },
];
