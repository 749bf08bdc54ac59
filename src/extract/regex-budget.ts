/**
 * Regex rules under a time budget: a catastrophic-backtracking pattern on one page must not stall a worker.
 *
 * Decision, by measurement (Node 20, 240 KB body): `vm.Script#runInContext` with `timeout` interrupts a
 * backtracking RegExp (V8 checks for termination inside the regexp engine) but costs ~0.2 ms per call (a
 * watchdog thread per call). So a page's regex rules run in ONE call, each recording its result as it goes;
 * when the budget runs out, the rule running at that moment fails and the rules after it get a fresh call.
 * A worker thread would cost a copy of the body and a message round trip per page, for the same guarantee.
 */
import vm from 'node:vm';

/** Time a page's regex rules may take, in all, before the running one is stopped. */
export const REGEX_BUDGET_MS = 200;

export interface RegexJob {
  /** A regex of the rule (with capture group 1); a `g` copy is used for keep-every-match rules. */
  re: RegExp;
  all: boolean;
}

export type RegexOutcome = { ok: true; values: string[] } | { ok: false; reason: string };

// The loop runs inside the context so the watchdog's interrupt stops it; it writes each result before the next.
const RUN = new vm.Script(`
for (; __state.i < __jobs.length; __state.i++) {
  const job = __jobs[__state.i];
  const out = [];
  if (job.all) {
    job.re.lastIndex = 0;
    let m;
    while (out.length < __max && (m = job.re.exec(__body)) !== null) {
      if (m[0] === '') job.re.lastIndex++;
      if (m[1] !== undefined) out.push(m[1]);
    }
  } else {
    const m = job.re.exec(__body);
    if (m !== null && m[1] !== undefined) out.push(m[1]);
  }
  __state.results[__state.i] = out;
}`);

let context: vm.Context | undefined;

/**
 * Runs each job over `body` within `budgetMs` (all jobs together); at most `maxValues` values per job. The
 * job running when the budget ran out gets `ok: false`; the others run on as usual.
 */
export function runRegexJobs(
  jobs: RegexJob[],
  body: string,
  maxValues: number,
  budgetMs = REGEX_BUDGET_MS,
): RegexOutcome[] {
  const out: RegexOutcome[] = new Array(jobs.length);
  if (jobs.length === 0) return out;
  context ??= vm.createContext(Object.create(null));
  const ctx = context as Record<string, unknown>;
  const state = { i: 0, results: [] as string[][] };
  ctx.__jobs = jobs.map((j) => ({
    re: j.all ? new RegExp(j.re.source, j.re.flags.includes('g') ? j.re.flags : `${j.re.flags}g`) : j.re,
    all: j.all,
  }));
  ctx.__body = body;
  ctx.__max = maxValues;
  ctx.__state = state;
  const started = performance.now();
  try {
    while (state.i < jobs.length) {
      const left = budgetMs - (performance.now() - started);
      if (left < 1) {
        for (let i = state.i; i < jobs.length; i++)
          out[i] = { ok: false, reason: `regex budget of ${budgetMs} ms used up by earlier rules` };
        break;
      }
      try {
        RUN.runInContext(context, { timeout: Math.ceil(left) });
      } catch (err) {
        // The watchdog can fire after the loop ended or after a job wrote its result (the process was not
        // scheduled meanwhile): that job was not stopped.
        if (state.i >= jobs.length) break;
        if (state.results[state.i] !== undefined) {
          state.i++;
          continue;
        }
        if ((err as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
          out[state.i] = { ok: false, reason: (err as Error).message };
        } else {
          out[state.i] = { ok: false, reason: `regex stopped after ${budgetMs} ms (time budget)` };
        }
        state.i++;
      }
    }
  } finally {
    ctx.__body = undefined;
    ctx.__jobs = undefined;
    ctx.__state = undefined;
  }
  for (let i = 0; i < jobs.length; i++) out[i] ??= { ok: true, values: state.results[i] ?? [] };
  return out;
}
