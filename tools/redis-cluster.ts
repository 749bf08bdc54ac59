/**
 * A throwaway Redis Cluster on loopback (N masters, no replicas), for tests and the manual check in the
 * README: redis-server in cluster mode on free ports, joined the way `redis-cli --cluster create` joins them.
 * Not used by the crawler itself.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { sleep } from '#metacrawl/sleep.js';

export interface LocalCluster {
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,...` */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

/** Whether redis-server exists and supports cluster mode (it always does since Redis 3). */
export function hasClusterTools(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A port p with p and p + 10000 (the cluster bus) both free. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 20_000 + Math.floor(Math.random() * 25_000);
    if (taken.has(p) || taken.has(p + 10_000)) continue;
    if ((await portFree(p)) && (await portFree(p + 10_000))) return p;
  }
  throw new Error('no free port pair for a cluster node');
}

async function ping(port: number): Promise<boolean> {
  const r = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

async function clusterOk(ports: number[]): Promise<boolean> {
  for (const port of ports) {
    const r = new Redis(port, '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    try {
      const info = String(await r.call('CLUSTER', 'INFO'));
      if (!/cluster_state:ok/.test(info) || !/cluster_known_nodes:(\d+)/.test(info)) return false;
      if (Number(/cluster_known_nodes:(\d+)/.exec(info)?.[1]) !== ports.length) return false;
    } catch {
      return false;
    } finally {
      r.disconnect();
    }
  }
  return true;
}

/**
 * What `redis-cli --cluster create` does, without its fixed waits: distinct config epochs, the 16384 slots
 * split evenly, every node introduced to the first.
 */
async function joinCluster(ports: number[]): Promise<void> {
  const conns = ports.map(
    (p) => new Redis(p, '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 0 }),
  );
  try {
    const per = Math.ceil(16384 / ports.length);
    for (const [i, r] of conns.entries()) {
      await r.call('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1));
      await r.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(16383, (i + 1) * per - 1)));
    }
    for (const p of ports.slice(1)) await conns[0].call('CLUSTER', 'MEET', '127.0.0.1', String(p));
  } finally {
    for (const r of conns) r.disconnect();
  }
}

export async function startLocalCluster(dir: string, nodes = 3): Promise<LocalCluster> {
  mkdirSync(dir, { recursive: true });
  const taken = new Set<number>();
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
    );
  };
  try {
    for (let i = 0; i < nodes; i++) {
      const port = await clusterPort(taken);
      taken.add(port);
      taken.add(port + 10_000);
      ports.push(port);
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '2000',
        '--appendonly',
        'no',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
        '--daemonize',
        'no',
        '--logfile',
        '',
      ];
      children.push(spawn('redis-server', args, { stdio: 'ignore' }));
    }
    for (const port of ports) {
      const deadline = Date.now() + 10_000;
      while (!(await ping(port))) {
        if (Date.now() > deadline) throw new Error(`cluster node on ${port} did not start`);
        await sleep(50);
      }
    }
    await joinCluster(ports);
    const deadline = Date.now() + 20_000;
    while (!(await clusterOk(ports))) {
      if (Date.now() > deadline) throw new Error('the cluster did not reach cluster_state:ok');
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, ports, stop };
}
