// Installs the npm packages when node_modules is missing or older than the
// lockfile, so `npm start` and `npm test` work on a fresh clone. No
// dependencies of its own: it runs before there are any.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';

const lock = 'package-lock.json';
const stamp = 'node_modules/.package-lock.json';
const stale = !existsSync(stamp) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(stamp).mtimeMs + 1000);
if (stale) {
  console.error('warren: installing npm packages (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
