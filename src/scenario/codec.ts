/**
 * A scenario as a share link (`#s=` + base64url of its deflated JSON) and
 * as a file (indented JSON). Decoding checks sizes at every stage (the
 * link, the inflated bytes as they stream, the JSON) and validates fully,
 * so a truncated, malformed or oversized input is a ScenarioError and
 * nothing else.
 */
import { LIMITS, ScenarioError, type Scenario } from './format.ts';
import { validateScenario } from './validate.ts';

export const LINK_PREFIX = '#s=';

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new ScenarioError('scenario.link.chars');
  if (text.length % 4 === 1) throw new ScenarioError('scenario.link.cut');
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function deflate(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Inflates, stopping as soon as the output passes `max` bytes (a small link cannot become a huge scenario). */
async function inflate(bytes: Uint8Array, max: number): Promise<string> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > max) {
        await reader.cancel().catch(() => {});
        throw new ScenarioError('scenario.link.unpacked.size', { kb: max / 1024 });
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError('scenario.link.unpack');
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(all);
  } catch {
    throw new ScenarioError('scenario.link.text');
  }
}

function parseJson(text: string, what: 'link' | 'file'): unknown {
  if (text.length > LIMITS.json) throw new ScenarioError(`scenario.${what}.size`, { kb: LIMITS.json / 1024 });
  try {
    return JSON.parse(text);
  } catch {
    throw new ScenarioError(`scenario.${what}.json`);
  }
}

/** The part after `#s=`. */
export async function encodeLink(scenario: Scenario): Promise<string> {
  const code = toBase64Url(await deflate(JSON.stringify(validateScenario(scenario))));
  if (code.length > LIMITS.link) throw new ScenarioError('scenario.link.too.large', { kb: Math.ceil(code.length / 1024) });
  return code;
}

/** The scenario a link's code (or a whole `#s=…` hash) opens. */
export async function decodeLink(code: string): Promise<Scenario> {
  const text = code.startsWith(LINK_PREFIX) ? code.slice(LINK_PREFIX.length) : code;
  if (!text) throw new ScenarioError('scenario.link.empty');
  if (text.length > LIMITS.link) throw new ScenarioError('scenario.link.long', { kb: LIMITS.link / 1024 });
  return validateScenario(parseJson(await inflate(fromBase64Url(text), LIMITS.json), 'link'));
}

export function toFile(scenario: Scenario): string {
  return `${JSON.stringify(validateScenario(scenario), null, 1)}\n`;
}

export function fromFile(text: string): Scenario {
  return validateScenario(parseJson(text, 'file'));
}
