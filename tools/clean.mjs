// Removes build output folders before a build, so a moved or deleted source file leaves no stale module behind.
import { rmSync } from 'node:fs';

for (const dir of process.argv.slice(2)) rmSync(dir, { recursive: true, force: true });
