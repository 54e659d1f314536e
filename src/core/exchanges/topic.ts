import type { Binding, BindingIndex, ExchangeType } from './exchange-type.ts';

/**
 * Topic routing with a trie of binding-key words, as RabbitMQ does it:
 * `*` matches exactly one word (possibly empty), `#` zero or more. Keys are
 * split on '.', empty words kept; the empty key has no words at all.
 */
export function splitTopicKey(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

class TrieNode {
  children: Map<string, TrieNode> | null = null;
  bindings: Binding[] | null = null;

  child(word: string): TrieNode | undefined {
    return this.children?.get(word);
  }
}

class TopicIndex implements BindingIndex {
  private root = new TrieNode();

  add(b: Binding): void {
    let node = this.root;
    for (const word of splitTopicKey(b.routingKey)) {
      node.children ??= new Map();
      let next = node.children.get(word);
      if (!next) node.children.set(word, (next = new TrieNode()));
      node = next;
    }
    (node.bindings ??= []).push(b);
  }

  remove(b: Binding): void {
    const path: Array<[TrieNode, string]> = [];
    let node: TrieNode | undefined = this.root;
    for (const word of splitTopicKey(b.routingKey)) {
      const next: TrieNode | undefined = node.child(word);
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
      const child = parent.child(word)!;
      if (child.bindings || (child.children && child.children.size)) break;
      parent.children!.delete(word);
    }
  }

  route(key: string, _headers: unknown, visit: (b: Binding) => void): void {
    const words = splitTopicKey(key);
    match(this.root, words, 0, visit);
  }
}

function match(node: TrieNode, words: string[], i: number, visit: (b: Binding) => void): void {
  const children = node.children;
  if (i === words.length) {
    if (node.bindings) for (const b of node.bindings) visit(b);
    // A trailing '#' matches zero words.
    const hash = children?.get('#');
    if (hash) match(hash, words, i, visit);
    return;
  }
  if (!children) return;
  // As RabbitMQ's trie_match: the word itself, '*', then '#' over every
  // suffix. A literal '*' or '#' in the key may reach a node twice; the
  // caller collects each binding once.
  const word = children.get(words[i]);
  if (word) match(word, words, i + 1, visit);
  const star = children.get('*');
  if (star) match(star, words, i + 1, visit);
  const hash = children.get('#');
  if (hash) for (let j = i; j <= words.length; j++) match(hash, words, j, visit);
}

export const topic: ExchangeType = {
  name: 'topic',
  validateBinding: () => null,
  createIndex: () => new TopicIndex(),
};
