/**
 * Loads a Lua script from its own .lua file and defines it once per connection (ioredis runs EVALSHA and falls
 * back to EVAL on NOSCRIPT, so a restarted Redis is fine). The build copies the .lua files into dist/ at the
 * same paths, so they are read beside this module, compiled or not. Redis runs one text per script, without
 * modules: scripts that share helpers include them (`--#include`), expanded here before Redis sees them.
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

const sources = new Map<string, string>();

/** A line `--#include <file>` stands for that file's text (one level: an included file includes none). */
const INCLUDE = /^--#include (\S+)$/gm;

function readLua(file: string): string {
  return readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
}

/** `file` is relative to src/ (or dist/), e.g. `producer/lua/reserve.lua`; so is an included file. */
export function luaSource(file: string): string {
  let src = sources.get(file);
  if (src === undefined) {
    src = readLua(file).replace(INCLUDE, (_, included: string) => readLua(included));
    sources.set(file, src);
  }
  return src;
}

export type ScriptFn = (...args: Array<string | number | Buffer>) => Promise<unknown>;

/** `numberOfKeys` null: the caller passes the number of keys first, then the keys and the arguments. */
export function defineScript(
  redis: Redis,
  command: string,
  file: string,
  numberOfKeys: number | null,
): ScriptFn {
  const r = redis as unknown as Record<string, ScriptFn | undefined>;
  if (typeof r[command] !== 'function')
    redis.defineCommand(command, { numberOfKeys: numberOfKeys ?? undefined, lua: luaSource(file) });
  const fn = r[command] as ScriptFn;
  return (...args) => fn.apply(redis, args);
}
