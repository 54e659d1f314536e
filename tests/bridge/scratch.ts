import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

/** A scratch directory under node_modules/.cache, where a generated program's `import 'amqplib'` resolves. */
export function scratch(): string {
  const dir = join(process.cwd(), 'node_modules', '.cache');
  mkdirSync(dir, { recursive: true });
  return mkdtempSync(join(dir, 'warren-bridge-'));
}

/** Debian's python3 (where apt installs pika and celery), else whatever python3 is. */
export const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
