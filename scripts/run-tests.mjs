// The whole test suite: starts a private RabbitMQ node (the conformance
// oracle), finds Chromium (the browser tests), runs Vitest, stops the node.
// With CI set, a missing dependency is a failure; without it, the suites
// that need it are skipped, loudly.
import { spawn, execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startRabbit, findRabbitSbin } from './rabbitmq-node.mjs';

const ci = !!process.env.CI && process.env.CI !== 'false';
const env = { ...process.env };
const missing = [];
let rabbit = null;

if (!env.WARREN_AMQP_URL) {
  if (findRabbitSbin()) {
    rabbit = await startRabbit({ log: (m) => console.log(`warren: ${m}`) });
    env.WARREN_AMQP_URL = rabbit.url;
    env.WARREN_RABBITMQCTL = `${rabbit.sbin}/rabbitmqctl -n ${rabbit.nodename}`;
    // rabbitmqctl reaches the node with the Erlang cookie in the node's HOME
    env.WARREN_RABBITMQ_HOME = rabbit.dir;
  } else {
    missing.push(['RabbitMQ (conformance suite)', 'apt-get install rabbitmq-server']);
  }
}

if (!env.WARREN_CHROMIUM) {
  const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  let found = candidates.find((p) => existsSync(p));
  if (!found) { try { found = execSync('command -v chromium', { stdio: 'pipe' }).toString().trim(); } catch { /* none */ } }
  if (found) env.WARREN_CHROMIUM = found;
  else missing.push(['Chromium (browser tests)', 'apt-get install chromium']);
}

if (missing.length) {
  const lines = missing.map(([what, how]) => `  - ${what}: install with \`${how}\``).join('\n');
  if (ci) {
    console.error(`warren: CI is set and these test dependencies are missing:\n${lines}`);
    process.exit(1);
  }
  console.warn(`\n${'!'.repeat(72)}\nwarren: SKIPPING suites whose dependency is missing:\n${lines}\n${'!'.repeat(72)}\n`);
}

const args = ['vitest', 'run', ...process.argv.slice(2)];
const child = spawn('npx', args, { env, stdio: 'inherit' });
const stop = async () => { if (rabbit) await rabbit.stop(); };
process.on('SIGINT', () => child.kill('SIGINT'));
child.on('exit', async (code, signal) => {
  await stop();
  process.exit(code ?? (signal ? 1 : 0));
});
