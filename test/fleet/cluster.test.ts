/** Redis Cluster: a real 3-node cluster on loopback, a hash-tagged prefix, one crawl end to end. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasClusterTools, type LocalCluster, startLocalCluster } from '../../tools/redis-cluster.js';
import { type Site, startSite } from '../../tools/site.js';
import { runCli } from '../helpers/cli.js';
import { rows, runMain, tempDir } from './helpers.js';

const available = hasClusterTools();
let cluster: LocalCluster;
let site: Site;
let dir: string;

beforeAll(async () => {
  if (!available) return;
  dir = tempDir('cluster');
  [cluster, site] = await Promise.all([
    startLocalCluster(join(dir, 'nodes')),
    startSite({ hosts: 2, pagesPerHost: 20, firstOctet: 100, linksPerPage: 1 }),
  ]);
});
afterAll(async () => {
  await site?.close();
  await cluster?.stop();
});

describe.skipIf(!available)('Redis Cluster', () => {
  it('crawls through a 3-node cluster with a hash-tagged prefix, every key in one slot', async () => {
    const seeds = join(dir, 'seeds.txt');
    writeFileSync(seeds, `${site.urls.join('\n')}\n`);
    const db = join(dir, 'cluster.db');
    const common = ['--redis', cluster.url, '--prefix', '{mc}', '--log-level', 'warn'];
    const res = await runCli([
      'crawl',
      seeds,
      '--allow-private',
      '--host-rate',
      '0',
      '--host-concurrency',
      '0',
      '--db',
      db,
      '--crawl',
      'cl',
      '--no-progress',
      ...common,
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/pages stored\s+40 \(40 ok, 0 failed\)/);
    expect(rows(db, 'cl')).toHaveLength(40);

    const st = await runCli(['status', '--json', ...common]);
    expect(st.code, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout).crawls[0]).toMatchObject({ crawl: 'cl', state: 'done', stored: 40 });

    // All of the fleet's keys (queue, stream, counters, dedupe, politeness, robots) sit on one node.
    const perNode = await Promise.all(
      cluster.ports.map(async (port) => {
        const r = new Redis(port, '127.0.0.1');
        try {
          return await r.keys('*');
        } finally {
          r.disconnect();
        }
      }),
    );
    const holding = perNode.filter((k) => k.length > 0);
    expect(holding).toHaveLength(1);
    expect(holding[0].every((k) => k.startsWith('{mc}:'))).toBe(true);
    expect(holding[0]).toEqual(
      expect.arrayContaining(['{mc}:results', '{mc}:crawls', '{mc}:crawl:cl:stats']),
    );
  });

  it('refuses a prefix without a hash tag', async () => {
    const res = await runMain(['status', '--redis', cluster.url, '--prefix', 'mc']);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/--prefix must contain a hash tag on Redis Cluster, e\.g\. \{mc\}/);
  });
});
