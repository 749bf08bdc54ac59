/** ioredis loaded with require(): see deps/README.md. Types come from `import type … from 'ioredis'`. */
import { createRequire } from 'node:module';

export const ioredis = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
