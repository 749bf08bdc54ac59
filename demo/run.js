// `npm run demo`: start a small local site of realistic pages, crawl it with the real CLI, and show a few SQL
// queries and their answers. Works offline: everything runs on this machine (loopback addresses 127.0.0.x).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSite } from '../dist-tools/site.js';

const bin = fileURLToPath(new URL('../bin/metacrawl.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'metacrawl-demo-'));
const db = join(dir, 'demo.db');

const site = await startSite({ hosts: 5, pagesPerHost: 20, firstOctet: 200, linksPerPage: 4 });
const seeds = join(dir, 'seeds.txt');
writeFileSync(
  seeds,
  [
    '# the demo seed list: the home pages of 5 local hosts, plus a few lines that are not URLs',
    ...site.hosts.map((h) => `${h.origin}/page/0`),
    'not a url at all',
    'ftp://example.com/file',
    `${site.hosts[0].origin}/missing-page`,
  ].join('\n'),
);

// The site is served by this process, so the CLI runs asynchronously (a blocking spawn would stall the site).
async function run(args, title) {
  if (title)
    console.log(`\n$ metacrawl ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: 'inherit',
    env: { ...process.env, REDIS_URL: '' },
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) {
    console.error(`metacrawl exited with ${code}`);
    process.exitCode = 1;
  }
}

console.log(`demo site: ${site.hosts.length} hosts × 20 pages on 127.0.0.200-204; database: ${db}`);
await run(
  [
    'crawl',
    seeds,
    '--allow-private',
    '--db',
    db,
    '--crawl',
    'demo',
    '--depth',
    '2',
    '--host-rate',
    '20/s',
    '--no-progress',
    '--log-level',
    'warn',
  ],
  true,
);

const queries = [
  [
    'Pages by status and error code',
    'SELECT status, error, count(*) AS pages FROM pages GROUP BY 1, 2 ORDER BY pages DESC',
  ],
  ['Pages without og:image', 'SELECT count(*) AS pages FROM pages WHERE error IS NULL AND og_image IS NULL'],
  [
    'Top JSON-LD types',
    'SELECT type, count(*) AS pages FROM page_jsonld_types GROUP BY type ORDER BY pages DESC LIMIT 5',
  ],
  [
    'Most-linked URLs',
    'SELECT target, count(*) AS inlinks FROM links GROUP BY target ORDER BY inlinks DESC LIMIT 5',
  ],
  ['Pages per depth', 'SELECT depth, count(*) AS pages FROM pages GROUP BY depth ORDER BY depth'],
];
for (const [title, sql] of queries) {
  console.log(`\n-- ${title}`);
  await run(['query', sql, '--db', db], true);
}
await site.close();
console.log(
  `\nThe database stays at ${db}: try  npx metacrawl query "SELECT url, title FROM pages LIMIT 5" --db ${db}`,
);
