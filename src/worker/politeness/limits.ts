/** Per-host limits live in shared code (src/host-limits.ts): the CLI reads politeness files without the worker. */
export * from '../../host-limits.js';
