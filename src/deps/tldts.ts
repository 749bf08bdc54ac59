/** tldts loaded with require(): see deps/README.md. Types come from `import type … from 'tldts'`. */
import { createRequire } from 'node:module';

export const tldts = createRequire(import.meta.url)('tldts') as typeof import('tldts');
