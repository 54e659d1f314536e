// Starts and stops a private RabbitMQ node for the test suite: its own node
// name, its own loopback ports and its own data directory, never the
// system service. Used by scripts/run-tests.mjs and runnable by hand:
//
//   node scripts/rabbitmq-node.mjs          start, print the URL, stop on Ctrl-C
//
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIB = '/usr/lib/rabbitmq/lib';

/** The package's own sbin directory (not Debian's wrapper, which switches user). */
export function findRabbitSbin() {
  if (process.env.RABBITMQ_SBIN) return process.env.RABBITMQ_SBIN;
  if (!existsSync(LIB)) return null;
  const dirs = readdirSync(LIB).filter((d) => d.startsWith('rabbitmq_server-')).sort();
  for (const d of dirs.reverse()) {
    const sbin = join(LIB, d, 'sbin');
    if (existsSync(join(sbin, 'rabbitmq-server'))) return sbin;
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portAccepts(port) {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/**
 * Starts a node and resolves once its AMQP port accepts connections and
 * rabbitmqctl confirms it booted. Returns { url, stop }.
 */
export async function startRabbit({ log = () => {} } = {}) {
  const sbin = findRabbitSbin();
  if (!sbin) throw new Error('rabbitmq-server is not installed (apt-get install rabbitmq-server)');
  const dir = mkdtempSync(join(tmpdir(), 'warren-rabbit-'));
  const port = await freePort();
  let distPort = await freePort();
  while (distPort === port) distPort = await freePort();
  const nodename = `warren-test-${process.pid}@localhost`;
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq.conf'), 'loopback_users = none\n');
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: nodename,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_LOGS: '-',
    RABBITMQ_PID_FILE: join(dir, 'pid'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_FEATURE_FLAGS_FILE: join(dir, 'feature_flags'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_SCHEMA_DIR: join(dir, 'schema'),
    RABBITMQ_GENERATED_CONFIG_DIR: join(dir, 'config'),
    RABBITMQ_QUORUM_DIR: join(dir, 'quorum'),
    RABBITMQ_STREAM_DIR: join(dir, 'stream'),
    HOME: dir,
  };
  const output = [];
  const child = spawn(join(sbin, 'rabbitmq-server'), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (b) => { output.push(b.toString()); if (output.length > 200) output.shift(); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.on('exit', (code) => { exited = code ?? -1; });

  const ctl = (...args) => execFileSync(join(sbin, 'rabbitmqctl'), ['-n', nodename, ...args], { env, stdio: 'pipe', timeout: 60_000 }).toString();
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited !== null) throw new Error(`rabbitmq-server exited with ${exited}:\n${output.join('')}`);
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`rabbitmq-server did not start in 90 s:\n${output.join('')}`); }
    if (await portAccepts(port)) {
      try { ctl('await_startup'); break; } catch { /* still booting */ }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`RabbitMQ node ${nodename} listening on 127.0.0.1:${port} (data in ${dir})`);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try { ctl('stop'); } catch { child.kill('SIGTERM'); }
    await new Promise((r) => { if (exited !== null) r(); else { child.once('exit', r); setTimeout(() => { child.kill('SIGKILL'); r(); }, 10_000).unref(); } });
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: `amqp://guest:guest@127.0.0.1:${port}`, nodename, port, dir, ctl, stop, env, sbin };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const node = await startRabbit({ log: console.log });
  console.log(`WARREN_AMQP_URL=${node.url}`);
  console.log(`WARREN_RABBITMQCTL='${node.sbin}/rabbitmqctl -n ${node.nodename}' WARREN_RABBITMQ_HOME=${node.dir}`);
  console.log('Ctrl-C stops the node.');
  const bye = async () => { await node.stop(); process.exit(0); };
  process.on('SIGINT', bye);
  process.on('SIGTERM', bye);
}
