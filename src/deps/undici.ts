/**
 * The parts of undici the fetcher uses (Agent, buildConnector, errors), loaded with require(): see deps/README.md.
 * Types come from `import type … from 'undici'`.
 *
 * Their own modules rather than undici's index: the index loads every dispatcher, the fetch and WebSocket
 * implementations, the mocks and the cache (110 modules, ~90 ms of CPU at every start of a crawl or worker), where
 * these three load 23 (~27 ms). The same module instances as the index's (one CommonJS cache), so `instanceof`
 * holds. A layout that does not have them (a later undici) falls back to the index.
 */
import { createRequire } from 'node:module';

type Undici = typeof import('undici');
export type UndiciParts = Pick<Undici, 'Agent' | 'buildConnector' | 'errors'>;

const require = createRequire(import.meta.url);

function load(): UndiciParts {
  try {
    const Agent = require('undici/lib/dispatcher/agent.js') as Undici['Agent'];
    const buildConnector = require('undici/lib/core/connect.js') as Undici['buildConnector'];
    const errors = require('undici/lib/core/errors.js') as Undici['errors'];
    if (typeof Agent === 'function' && typeof buildConnector === 'function' && errors?.RequestAbortedError)
      return { Agent, buildConnector, errors };
  } catch {}
  const all = require('undici') as Undici;
  return { Agent: all.Agent, buildConnector: all.buildConnector, errors: all.errors };
}

export const undici: UndiciParts = load();
