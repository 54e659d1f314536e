/**
 * The RabbitMQ node the test command starts (scripts/run-tests.mjs), for
 * the bridge's proofs: its AMQP URL, and rabbitmqctl on it. Each test file
 * works in a virtual host of its own, created and deleted here, so the
 * conformance suites on '/' never see its exchanges and queues.
 */
import { execFileSync } from 'node:child_process';

const url = process.env.WARREN_AMQP_URL;
const ctlCommand = process.env.WARREN_RABBITMQCTL;
const ci = !!process.env.CI && process.env.CI !== 'false';

export const haveNode = !!(url && ctlCommand);
if (!haveNode) {
  const problem = 'the bridge tests need WARREN_AMQP_URL and WARREN_RABBITMQCTL (run them with `npm test`, which starts a RabbitMQ node)';
  if (ci) throw new Error(`CI is set but ${problem}`);
  console.warn(`\n!!! bridge round trips skipped: ${problem}\n`);
}

/** Runs rabbitmqctl against the test node; returns its standard output. */
export function ctl(...args: string[]): string {
  const [bin, ...fixed] = ctlCommand!.split(' ');
  const env = { ...process.env, ...(process.env.WARREN_RABBITMQ_HOME ? { HOME: process.env.WARREN_RABBITMQ_HOME } : {}) };
  return execFileSync(bin, [...fixed, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).toString();
}

/** The node's URL for a virtual host. */
export function vhostUrl(vhost: string): string {
  const u = new URL(url!);
  u.pathname = `/${encodeURIComponent(vhost)}`;
  return u.toString();
}

/** A fresh virtual host that guest may use. */
export function freshVhost(vhost: string): void {
  dropVhost(vhost);
  ctl('add_vhost', vhost);
  ctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
}

/** Deletes a virtual host, if it exists (one rabbitmqctl call: each takes seconds). */
export function dropVhost(vhost: string): void {
  try {
    ctl('delete_vhost', vhost);
  } catch (e) {
    if (!/does not exist|no_such_vhost/i.test(String((e as { stderr?: Buffer }).stderr ?? e))) throw e;
  }
}

/** `rabbitmqctl export_definitions`, parsed. */
export function exportFromNode(): Record<string, unknown> {
  const text = ctl('export_definitions', '-');
  return JSON.parse(text.slice(text.indexOf('{'))) as Record<string, unknown>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
