import type { Binding } from './exchange-type.ts';
import type { TopicWords } from './topic-words.ts';

/** What the compiler reads of a trie node (topic.ts's TrieNode). */
export interface TopicTrieNode {
  /** The node's number in the compiled form (set while compiling). */
  slot: number;
  readonly literalCount: number;
  /** Its literal children, by word id (TopicWords). */
  forEachLiteral(fn: (id: number, child: TopicTrieNode) => void): void;
  readonly star: TopicTrieNode | null;
  readonly hash: TopicTrieNode | null;
  forEachBinding(fn: (b: Binding) => void): void;
}

/** "No node" in a child field. */
const NONE = -1;
/** Any number of words (a '#' below): larger than any key's word count. */
const UNBOUNDED = 0x3fffffff;

// A node is 8 consecutive Int32 fields (32 bytes, half a cache line), and is
// named by the offset of its first field.
const MIN = 0; // the fewest key words a match at or below the node consumes from it
const MAX = 1; // the most (UNBOUNDED with a '#' below, -1 when nothing is below)
const BIND_START = 2; // its bindings: bindings[BIND_START, BIND_END)
const BIND_END = 3;
const STAR = 4; // the '*' child
const HASH = 5; // the '#' child
const EDGE_START = 6; // its literal edges: (word id, child) pairs in edges[EDGE_START, EDGE_END), by word id
const EDGE_END = 7;
const FIELDS = 8;

/**
 * A topic trie flattened into one typed array, for routing many keys
 * through many bindings: a node is eight integers side by side (its
 * bindings' range, its '*' and '#' children, the range of its literal
 * edges in a table sorted by word id, searched by bisection), and every
 * binding sits in one array. Edges name words by their TopicWords ids,
 * so a routing key costs one word lookup per word, not one per node visited.
 * Each node also knows how many key words a match below it needs at least
 * and at most, which prunes the search.
 *
 * Built from the trie in one pass; it does not change afterwards (the
 * index compiles a new one after bindings change). route() visits the
 * bindings in exactly the trie's order: RabbitMQ's trie_match, the word
 * itself, then '*', then '#' over every suffix.
 */
export class CompiledTopic {
  private readonly nodes: Int32Array;
  private readonly edges: Int32Array;
  private readonly bindings: Binding[] = [];
  /** The word ids of the key being routed (-1: a word no pattern has), from `words`. */
  private ids: Int32Array;
  private count = 0;
  private visit: (b: Binding) => void = noVisit;

  constructor(
    root: TopicTrieNode,
    private readonly words: TopicWords,
  ) {
    this.ids = words.ids;
    // Number the nodes depth first, a node before its children.
    const order: TopicTrieNode[] = [];
    const stack: TopicTrieNode[] = [root];
    let edgeCount = 0;
    while (stack.length) {
      const node = stack.pop()!;
      node.slot = order.length * FIELDS;
      order.push(node);
      if (node.hash) stack.push(node.hash);
      if (node.star) stack.push(node.star);
      edgeCount += node.literalCount;
      node.forEachLiteral((_, child) => stack.push(child));
    }
    const nodes = (this.nodes = new Int32Array(order.length * FIELDS));
    const edges = (this.edges = new Int32Array(edgeCount * 2));
    let e = 0;
    for (const node of order) {
      const at = node.slot;
      nodes[at + BIND_START] = this.bindings.length;
      node.forEachBinding((b) => this.bindings.push(b));
      nodes[at + BIND_END] = this.bindings.length;
      nodes[at + STAR] = node.star ? node.star.slot : NONE;
      nodes[at + HASH] = node.hash ? node.hash.slot : NONE;
      nodes[at + EDGE_START] = e;
      const first = e;
      node.forEachLiteral((id, child) => {
        // Insertion sort by word id: nodes have few edges, the root a few dozen.
        let k = e;
        e += 2;
        while (k > first && edges[k - 2] > id) {
          edges[k] = edges[k - 2];
          edges[k + 1] = edges[k - 1];
          k -= 2;
        }
        edges[k] = id;
        edges[k + 1] = child.slot;
      });
      nodes[at + EDGE_END] = e;
    }
    // Children come after their parent: fill the word bounds bottom up.
    for (let at = nodes.length - FIELDS; at >= 0; at -= FIELDS) {
      const here = nodes[at + BIND_END] > nodes[at + BIND_START];
      let min = here ? 0 : UNBOUNDED;
      let max = here ? 0 : -1;
      for (let k = nodes[at + EDGE_START], end = nodes[at + EDGE_END]; k <= end; k += 2) {
        // The literal edges, then the '*' child: each consumes one word.
        const child = k < end ? edges[k + 1] : nodes[at + STAR];
        if (child === NONE || nodes[child + MAX] < 0) continue;
        if (nodes[child + MIN] + 1 < min) min = nodes[child + MIN] + 1;
        const most = nodes[child + MAX] === UNBOUNDED ? UNBOUNDED : nodes[child + MAX] + 1;
        if (most > max) max = most;
      }
      // A '#' that leads to a binding consumes any number of words.
      const h = nodes[at + HASH];
      if (h !== NONE && nodes[h + MAX] >= 0) {
        if (nodes[h + MIN] < min) min = nodes[h + MIN];
        max = UNBOUNDED;
      }
      nodes[at + MIN] = min;
      nodes[at + MAX] = max;
    }
  }

  /** Calls `visit` for every binding whose pattern matches `key`, in the trie's order. */
  route(key: string, visit: (b: Binding) => void): void {
    this.count = this.words.idsOf(key);
    this.ids = this.words.ids;
    this.visit = visit;
    this.match(0, 0);
  }

  private match(node: number, i: number): void {
    const nodes = this.nodes;
    const left = this.count - i;
    if (left < nodes[node + MIN] || left > nodes[node + MAX]) return;
    if (left === 0) {
      for (let k = nodes[node + BIND_START], end = nodes[node + BIND_END]; k < end; k++) this.visit(this.bindings[k]);
      // A trailing '#' matches zero words.
      const h = nodes[node + HASH];
      if (h !== NONE) this.match(h, i);
      return;
    }
    const word = this.ids[i];
    if (word !== NONE) {
      const edges = this.edges;
      let lo = nodes[node + EDGE_START] >> 1;
      let hi = (nodes[node + EDGE_END] >> 1) - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const w = edges[mid << 1];
        if (w === word) {
          this.match(edges[(mid << 1) + 1], i + 1);
          break;
        }
        if (w < word) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    const s = nodes[node + STAR];
    if (s !== NONE) this.match(s, i + 1);
    const h = nodes[node + HASH];
    if (h === NONE) return;
    // '#' takes the next 0, 1, … words: only as many as a match below can use.
    const max = nodes[h + MAX];
    const from = max === UNBOUNDED || this.count - max <= i ? i : this.count - max;
    const to = this.count - nodes[h + MIN];
    for (let j = from; j <= to; j++) this.match(h, j);
  }
}

function noVisit(): void {}
