import type { Binding, BindingIndex, ExchangeType } from './exchange-type.ts';
import { CompiledTopic } from './topic-compiled.ts';

/**
 * Topic routing with a trie of binding-key words, as RabbitMQ does it:
 * `*` matches exactly one word (possibly empty), `#` zero or more. Keys are
 * split on '.', empty words kept; the empty key has no words at all.
 */
export function splitTopicKey(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

/**
 * A trie node: the two wildcards in fields of their own; literal children
 * in a Map, or while there is only one (as for most nodes of a big trie),
 * in two fields, which saves a Map per node.
 */
class TrieNode {
  slot = 0;
  private word: string | null = null;
  private wordChild: TrieNode | null = null;
  private words: Map<string, TrieNode> | null = null;
  star: TrieNode | null = null;
  hash: TrieNode | null = null;
  bindings: Binding[] | null = null;

  /** The child for a literal word of a key (never '*' or '#' edges). */
  literal(word: string): TrieNode | null {
    if (this.word === word) return this.wordChild;
    return this.words === null ? null : (this.words.get(word) ?? null);
  }

  get literalCount(): number {
    return this.words !== null ? this.words.size : this.word !== null ? 1 : 0;
  }

  forEachLiteral(fn: (word: string, child: TrieNode) => void): void {
    if (this.words !== null) this.words.forEach((child, word) => fn(word, child));
    else if (this.word !== null) fn(this.word, this.wordChild!);
  }

  child(word: string): TrieNode | null {
    if (word === '*') return this.star;
    if (word === '#') return this.hash;
    return this.literal(word);
  }

  addChild(word: string): TrieNode {
    const existing = this.child(word);
    if (existing) return existing;
    const node = new TrieNode();
    if (word === '*') this.star = node;
    else if (word === '#') this.hash = node;
    else if (this.words !== null) this.words.set(word, node);
    else if (this.word === null) {
      this.word = word;
      this.wordChild = node;
    } else {
      this.words = new Map([[this.word, this.wordChild!], [word, node]]);
      this.word = this.wordChild = null;
    }
    return node;
  }

  removeChild(word: string): void {
    if (word === '*') this.star = null;
    else if (word === '#') this.hash = null;
    else if (this.word === word) this.word = this.wordChild = null;
    else this.words?.delete(word);
  }

  get empty(): boolean {
    return !this.bindings && !this.star && !this.hash && this.literalCount === 0;
  }
}

/**
 * The index routes through the trie (cheap to change) until enough routes
 * follow the last change to pay for compiling it into a CompiledTopic
 * (2–3× faster to route): as many routes as a quarter of the bindings, at
 * least this many. Compiling costs about as much as that many routes save,
 * so bindings made in bulk cost one trie insert each, and binds alternating
 * with publishes never recompile on every publish.
 */
export const COMPILE_AFTER_MIN = 16;

export class TopicIndex implements BindingIndex {
  readonly root = new TrieNode();
  private size = 0;
  private compiled: CompiledTopic | null = null;
  private routesSinceChange = 0;

  add(b: Binding): void {
    this.changed(+1);
    let node = this.root;
    const key = b.routingKey;
    if (key !== '') {
      // splitTopicKey without the array.
      let start = 0;
      for (;;) {
        const dot = key.indexOf('.', start);
        node = node.addChild(dot < 0 ? key.slice(start) : key.slice(start, dot));
        if (dot < 0) break;
        start = dot + 1;
      }
    }
    if (node.bindings === null) node.bindings = [b];
    else node.bindings.push(b);
  }

  remove(b: Binding): void {
    const path: Array<[TrieNode, string]> = [];
    let node: TrieNode | null = this.root;
    for (const word of splitTopicKey(b.routingKey)) {
      const next: TrieNode | null = node.child(word);
      if (!next) return;
      path.push([node, word]);
      node = next;
    }
    const list = node.bindings;
    if (!list) return;
    const i = list.indexOf(b);
    if (i < 0) return;
    this.changed(-1);
    list.splice(i, 1);
    if (!list.length) node.bindings = null;
    // Prune nodes left with neither bindings nor children.
    for (let j = path.length - 1; j >= 0; j--) {
      const [parent, word] = path[j];
      if (!parent.child(word)!.empty) break;
      parent.removeChild(word);
    }
  }

  route(key: string, _headers: unknown, visit: (b: Binding) => void): void {
    const compiled = this.compiled ?? this.compileIfDue();
    if (compiled) compiled.route(key, visit);
    else match(this.root, splitTopicKey(key), 0, visit);
  }

  /** The compiled form, made now if enough routes have followed the last change. */
  private compileIfDue(): CompiledTopic | null {
    if (++this.routesSinceChange < Math.max(COMPILE_AFTER_MIN, this.size / 4)) return null;
    return (this.compiled = new CompiledTopic(this.root));
  }

  private changed(delta: number): void {
    this.size += delta;
    this.compiled = null;
    this.routesSinceChange = 0;
  }
}

/**
 * RabbitMQ's trie_match: the word itself, '*', then '#' over every suffix.
 * A literal '*' or '#' in the key may reach a node twice; the caller
 * collects each binding once.
 */
function match(node: TrieNode, words: string[], i: number, visit: (b: Binding) => void): void {
  if (i === words.length) {
    const bindings = node.bindings;
    if (bindings) for (let k = 0; k < bindings.length; k++) visit(bindings[k]);
    // A trailing '#' matches zero words.
    if (node.hash) match(node.hash, words, i, visit);
    return;
  }
  const literal = node.literal(words[i]);
  if (literal) match(literal, words, i + 1, visit);
  if (node.star) match(node.star, words, i + 1, visit);
  const hash = node.hash;
  if (!hash) return;
  // A '#' that ends its patterns matches whatever is left: straight to the end.
  if (hash.literalCount === 0 && !hash.star && !hash.hash) match(hash, words, words.length, visit);
  else for (let j = i; j <= words.length; j++) match(hash, words, j, visit);
}

export const topic: ExchangeType = {
  name: 'topic',
  validateBinding: () => null,
  createIndex: () => new TopicIndex(),
};
