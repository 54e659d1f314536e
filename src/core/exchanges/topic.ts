import type { Binding, BindingIndex, ExchangeType } from './exchange-type.ts';

/**
 * Topic routing with a trie of binding-key words, as RabbitMQ does it:
 * `*` matches exactly one word (possibly empty), `#` zero or more. Keys are
 * split on '.', empty words kept; the empty key has no words at all.
 */
export function splitTopicKey(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

/** A trie node: literal children in a map, the two wildcards in fields of their own. */
class TrieNode {
  words: Map<string, TrieNode> | null = null;
  star: TrieNode | null = null;
  hash: TrieNode | null = null;
  bindings: Binding[] | null = null;

  child(word: string): TrieNode | null {
    if (word === '*') return this.star;
    if (word === '#') return this.hash;
    return this.words?.get(word) ?? null;
  }

  addChild(word: string): TrieNode {
    const existing = this.child(word);
    if (existing) return existing;
    const node = new TrieNode();
    if (word === '*') this.star = node;
    else if (word === '#') this.hash = node;
    else (this.words ??= new Map()).set(word, node);
    return node;
  }

  removeChild(word: string): void {
    if (word === '*') this.star = null;
    else if (word === '#') this.hash = null;
    else this.words?.delete(word);
  }

  get empty(): boolean {
    return !this.bindings && !this.star && !this.hash && !(this.words && this.words.size);
  }
}

class TopicIndex implements BindingIndex {
  private root = new TrieNode();

  add(b: Binding): void {
    let node = this.root;
    for (const word of splitTopicKey(b.routingKey)) node = node.addChild(word);
    (node.bindings ??= []).push(b);
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
    if (i >= 0) list.splice(i, 1);
    if (!list.length) node.bindings = null;
    // Prune nodes left with neither bindings nor children.
    for (let j = path.length - 1; j >= 0; j--) {
      const [parent, word] = path[j];
      if (!parent.child(word)!.empty) break;
      parent.removeChild(word);
    }
  }

  route(key: string, _headers: unknown, visit: (b: Binding) => void): void {
    match(this.root, splitTopicKey(key), 0, visit);
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
  if (node.words) {
    const literal = node.words.get(words[i]);
    if (literal) match(literal, words, i + 1, visit);
  }
  if (node.star) match(node.star, words, i + 1, visit);
  const hash = node.hash;
  if (!hash) return;
  // A '#' that ends its patterns matches whatever is left: straight to the end.
  if (!hash.words && !hash.star && !hash.hash) match(hash, words, words.length, visit);
  else for (let j = i; j <= words.length; j++) match(hash, words, j, visit);
}

export const topic: ExchangeType = {
  name: 'topic',
  validateBinding: () => null,
  createIndex: () => new TopicIndex(),
};
