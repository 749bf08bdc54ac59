// Copies every src/**/*.lua into dist/ at the same path: lua.ts reads them beside its compiled self.
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const files = readdirSync('src', { recursive: true }).filter((f) => String(f).endsWith('.lua'));
for (const f of files) cpSync(join('src', String(f)), join('dist', String(f)));
if (files.length === 0) throw new Error('no .lua files under src/');
