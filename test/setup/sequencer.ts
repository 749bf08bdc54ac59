/**
 * Test file order for `vitest run`: the slowest files first, so that the two workers finish together instead of
 * one running a long file alone at the end. Vitest orders by the durations of the last run when it has them
 * (node_modules/.vite/vitest); a fresh clone (CI) has none and would order by file size, which puts some long
 * crawls last. There this list, measured on the whole suite (slowest first), gives the start of the order;
 * files not on it follow in Vitest's own order. Only the order changes: every file still runs.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOWEST = [
  'test/cli/crawl.test.ts',
  'test/faults/redis-lost.test.ts',
  'test/cli/one-machine.test.ts',
  'test/faults/frontier.test.ts',
  'test/politeness/crawls.test.ts',
  'test/extract/utf8.test.ts',
  'test/fleet/control.test.ts',
  'test/faults/worker-kill.test.ts',
  'test/readme-queries.test.ts',
  'test/faults/unreachable.test.ts',
  'test/faults/signals.test.ts',
  'test/extract/tokenizer.test.ts',
  'test/fleet/cluster.test.ts',
  'test/faults/redis-auth.test.ts',
  'test/cli/crawl-workers.test.ts',
  'test/faults/redis-restart.test.ts',
  'test/politeness/fleet.test.ts',
  'test/faults/hostile.test.ts',
  'test/fleet/observe.test.ts',
  'test/discovery/sitemap-crawl.test.ts',
  'test/faults/query-readonly.test.ts',
  'test/faults/store-kill.test.ts',
];

export class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const rel = (f: TestSpecification) => f.moduleId.slice(root.length + 1).replaceAll('\\', '/');
    // With durations from a previous run for every file, Vitest's order (longest first) is the better one.
    const known = files.every((f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${rel(f)}`));
    if (known) return sorted;
    const rank = (f: TestSpecification) => {
      const i = SLOWEST.indexOf(rel(f));
      return i === -1 ? SLOWEST.length : i;
    };
    // Array.prototype.sort is stable: files off the list keep Vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
