/** bullmq loaded with require(): see deps/README.md. Types come from `import type … from 'bullmq'`. */
import { createRequire } from 'node:module';

export const bullmq = createRequire(import.meta.url)('bullmq') as typeof import('bullmq');
