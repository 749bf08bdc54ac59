/**
 * Loads a Lua script from its own .lua file and defines it once per connection (ioredis runs EVALSHA and falls
 * back to EVAL on NOSCRIPT, so a restarted Redis is fine). The build copies the .lua files into dist/ at the
 * same paths, so they are read beside this module, compiled or not.
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

const sources = new Map<string, string>();

/** `file` is relative to src/ (or dist/), e.g. `producer/lua/reserve.lua`. */
export function luaSource(file: string): string {
  let src = sources.get(file);
  if (src === undefined) {
    src = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
    sources.set(file, src);
  }
  return src;
}

export type ScriptFn = (...args: Array<string | number | Buffer>) => Promise<unknown>;

export function defineScript(redis: Redis, command: string, file: string, numberOfKeys: number): ScriptFn {
  const r = redis as unknown as Record<string, ScriptFn | undefined>;
  if (typeof r[command] !== 'function') redis.defineCommand(command, { numberOfKeys, lua: luaSource(file) });
  const fn = r[command] as ScriptFn;
  return (...args) => fn.apply(redis, args);
}
