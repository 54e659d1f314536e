import type { Binding, BindingIndex, BindingTarget, ExchangeType } from './exchange-type.ts';
import { CompiledTopic } from './topic-compiled.ts';
import { TopicWords } from './topic-words.ts';

/**
 * Topic routing with a trie of binding-key words, as RabbitMQ does it:
 * `*` matches exactly one word (possibly empty), `#` zero or more. Keys are
 * split on '.', empty words kept; the empty key has no words at all.
 */
export function splitTopicKey(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

/** The edge to a node's child: a literal word's id (TopicWords), or one of these. */
const STAR = -2;
const HASH = -3;

/**
 * A trie node: the two wildcards in fields of their own; literal children
 * by word id in a Map, or while there is only one (as for most nodes of a
 * big trie), in two fields, which saves a Map per node. Likewise its
 * bindings (those whose key ends here): one in the field itself, several
 * in an array.
 */
class TrieNode {
  slot = 0;
  private wordId = -1;
  private wordChild: TrieNode | null = null;
  private words: Map<number, TrieNode> | null = null;
  star: TrieNode | null = null;
  hash: TrieNode | null = null;
  private bindings: Binding | Binding[] | null = null;

  /** The child for a literal word of a key, by its id (never '*' or '#' edges). */
  literal(id: number): TrieNode | null {
    if (this.wordId === id) return this.wordChild;
    return this.words === null ? null : (this.words.get(id) ?? null);
  }

  get literalCount(): number {
    return this.words !== null ? this.words.size : this.wordChild !== null ? 1 : 0;
  }

  forEachLiteral(fn: (id: number, child: TrieNode) => void): void {
    if (this.words !== null) this.words.forEach((child, id) => fn(id, child));
    else if (this.wordChild !== null) fn(this.wordId, this.wordChild);
  }

  child(edge: number): TrieNode | null {
    if (edge === STAR) return this.star;
    if (edge === HASH) return this.hash;
    return edge < 0 ? null : this.literal(edge);
  }

  addChild(edge: number): TrieNode {
    const existing = this.child(edge);
    if (existing) return existing;
    const node = new TrieNode();
    if (edge === STAR) this.star = node;
    else if (edge === HASH) this.hash = node;
    else if (this.words !== null) this.words.set(edge, node);
    else if (this.wordChild === null) {
      this.wordId = edge;
      this.wordChild = node;
    } else {
      this.words = new Map([[this.wordId, this.wordChild], [edge, node]]);
      this.wordId = -1;
      this.wordChild = null;
    }
    return node;
  }

  removeChild(edge: number): void {
    if (edge === STAR) this.star = null;
    else if (edge === HASH) this.hash = null;
    else if (this.wordId === edge) {
      this.wordId = -1;
      this.wordChild = null;
    } else this.words?.delete(edge);
  }

  get empty(): boolean {
    return this.bindings === null && !this.star && !this.hash && this.literalCount === 0;
  }

  /** Its bindings, in the order they were added. */
  forEachBinding(fn: (b: Binding) => void): void {
    const bs = this.bindings;
    if (bs === null) return;
    if (!Array.isArray(bs)) fn(bs);
    else for (let i = 0; i < bs.length; i++) fn(bs[i]);
  }

  /** The binding here with this identity. */
  findBinding(destination: BindingTarget, kind: 'queue' | 'exchange', routingKey: string, argumentsKey: string): Binding | undefined {
    const bs = this.bindings;
    if (bs === null) return undefined;
    if (!Array.isArray(bs)) return bs.is(destination, kind, routingKey, argumentsKey) ? bs : undefined;
    for (let i = 0; i < bs.length; i++) if (bs[i].is(destination, kind, routingKey, argumentsKey)) return bs[i];
    return undefined;
  }

  addBinding(b: Binding): void {
    const bs = this.bindings;
    if (bs === null) this.bindings = b;
    else if (Array.isArray(bs)) bs.push(b);
    else this.bindings = [bs, b];
  }

  /** Removes a binding; false if it is not here. */
  removeBinding(b: Binding): boolean {
    const bs = this.bindings;
    if (bs === b) this.bindings = null;
    else if (Array.isArray(bs)) {
      const i = bs.indexOf(b);
      if (i < 0) return false;
      bs.splice(i, 1);
      if (bs.length === 1) this.bindings = bs[0];
    } else return false;
    return true;
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
  readonly words = new TopicWords();
  private size = 0;
  private compiled: CompiledTopic | null = null;
  private routesSinceChange = 0;
  // Where the last walk down the trie ended: its node, and the offset in the
  // key of the first word it did not walk (-1: it walked them all). find()
  // leaves it for the add() of the same key that usually follows.
  private walkKey: string | null = null;
  private walkNode: TrieNode = this.root;
  private walkFrom = -1;
  /** The edges walked by the last walk(), and the node each left. */
  private walkEdges: number[] = [];
  private walkParents: TrieNode[] = [];

  find(destination: BindingTarget, kind: 'queue' | 'exchange', routingKey: string, argumentsKey: string): Binding | undefined {
    this.walk(this.root, routingKey, 0, false);
    this.walkKey = routingKey;
    return this.walkFrom < 0 ? this.walkNode.findBinding(destination, kind, routingKey, argumentsKey) : undefined;
  }

  add(b: Binding): void {
    const key = b.routingKey;
    if (this.walkKey === key) this.walk(this.walkNode, key, this.walkFrom, true);
    else this.walk(this.root, key, 0, true);
    this.walkNode.addBinding(b);
    this.changed(+1);
  }

  remove(b: Binding): void {
    this.walk(this.root, b.routingKey, 0, false, true);
    if (this.walkFrom >= 0 || !this.walkNode.removeBinding(b)) return;
    const edges = this.walkEdges;
    const parents = this.walkParents;
    this.changed(-1);
    // Prune nodes left with neither bindings nor children.
    for (let j = edges.length - 1; j >= 0; j--) {
      if (!parents[j].child(edges[j])!.empty) break;
      parents[j].removeChild(edges[j]);
    }
  }

  route(key: string, _headers: unknown, visit: (b: Binding) => void): void {
    const compiled = this.compiled ?? this.compileIfDue();
    if (compiled) compiled.route(key, visit);
    else {
      const count = this.words.idsOf(key);
      match(this.root, this.words.ids, count, 0, visit);
    }
  }

  /** The compiled form of the trie as it is now. */
  compile(): CompiledTopic {
    return new CompiledTopic(this.root, this.words);
  }

  /**
   * Walks from `node` down the words of `key` that begin at offset `from`
   * (-1: none left), making missing children when `create`, else stopping
   * at the first; leaves where it ended in walkNode and walkFrom, and with
   * `record` the path in walkEdges and walkParents.
   */
  private walk(node: TrieNode, key: string, from: number, create: boolean, record = false): void {
    if (record) this.walkEdges.length = this.walkParents.length = 0;
    // splitTopicKey without the array: the empty key has no words.
    let start = key === '' ? -1 : from;
    while (start >= 0) {
      const dot = key.indexOf('.', start);
      const end = dot < 0 ? key.length : dot;
      const edge = this.edgeOf(key, start, end, create);
      const child = create ? node.addChild(edge) : node.child(edge);
      if (child === null) break;
      if (record) {
        this.walkEdges.push(edge);
        this.walkParents.push(node);
      }
      node = child;
      start = dot < 0 ? -1 : dot + 1;
    }
    this.walkNode = node;
    this.walkFrom = start;
  }

  /** The edge a pattern word key[start, end) follows (-1: a word no pattern has, unless `create`). */
  private edgeOf(key: string, start: number, end: number, create: boolean): number {
    if (end === start + 1) {
      const c = key.charCodeAt(start);
      if (c === 42) return STAR; // '*'
      if (c === 35) return HASH; // '#'
    }
    return create ? this.words.intern(key, start, end) : this.words.find(key, start, end);
  }

  /** The compiled form, made now if enough routes have followed the last change. */
  private compileIfDue(): CompiledTopic | null {
    if (++this.routesSinceChange < Math.max(COMPILE_AFTER_MIN, this.size / 4)) return null;
    return (this.compiled = this.compile());
  }

  private changed(delta: number): void {
    this.walkKey = null;
    this.size += delta;
    this.compiled = null;
    this.routesSinceChange = 0;
  }
}

/**
 * RabbitMQ's trie_match over the key's word ids (`ids[0, count)`): the word
 * itself, '*', then '#' over every suffix. A node may be reached twice
 * (patterns like `#.#`); the caller collects each binding once.
 */
function match(node: TrieNode, ids: Int32Array, count: number, i: number, visit: (b: Binding) => void): void {
  if (i === count) {
    node.forEachBinding(visit);
    // A trailing '#' matches zero words.
    if (node.hash) match(node.hash, ids, count, i, visit);
    return;
  }
  const literal = ids[i] < 0 ? null : node.literal(ids[i]);
  if (literal) match(literal, ids, count, i + 1, visit);
  if (node.star) match(node.star, ids, count, i + 1, visit);
  const hash = node.hash;
  if (!hash) return;
  // A '#' that ends its patterns matches whatever is left: straight to the end.
  if (hash.literalCount === 0 && !hash.star && !hash.hash) match(hash, ids, count, count, visit);
  else for (let j = i; j <= count; j++) match(hash, ids, count, j, visit);
}

export const topic: ExchangeType = {
  name: 'topic',
  validateBinding: () => null,
  createIndex: () => new TopicIndex(),
};
