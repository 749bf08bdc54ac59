/** undici loaded with require(): see deps/README.md. Types come from `import type … from 'undici'`. */
import { createRequire } from 'node:module';

export const undici = createRequire(import.meta.url)('undici') as typeof import('undici');
