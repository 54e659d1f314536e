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
const BIND_START = 2; // its bindings: bindings[BIND_START, the next node's BIND_START)
const DIRECT = 3; // NONE, or where its table of children by word id starts in `direct` (see below)
const STAR = 4; // the '*' child
const HASH = 5; // the '#' child
const EDGE_START = 6; // its literal edges: (word id, child) pairs in edges[EDGE_START, EDGE_END), by word id
const EDGE_END = 7;
const FIELDS = 8;
/** Up to this many literal edges, a node's are scanned. */
const SCANNED_EDGES = 8;
/**
 * More than SCANNED_EDGES, and the ids of its words within a range no
 * larger than this many times their number (as at the root, which has
 * most of the vocabulary): a table indexed by word id, one load instead of
 * a bisection. Otherwise the edges are bisected.
 */
const DIRECT_SPREAD = 4;

/**
 * A topic trie flattened into one typed array, for routing many keys
 * through many bindings: a node is eight integers side by side (where its
 * bindings start, its '*' and '#' children, the range of its literal edges
 * in a table sorted by word id, and for a node with many edges a table of
 * its children indexed by word id), and every binding sits in one array.
 * Edges name words by their TopicWords ids, so a routing key costs one
 * word lookup per word, not one per node visited. Each node also knows how
 * many key words a match below it needs at least and at most, which
 * prunes the search; a child is entered only when it can match.
 *
 * Built from the trie in one pass; it does not change afterwards (the
 * index compiles a new one after bindings change). route() visits the
 * bindings in exactly the trie's order: RabbitMQ's trie_match, the word
 * itself, then '*', then '#' over every suffix.
 */
export class CompiledTopic {
  private readonly nodes: Int32Array;
  private readonly edges: Int32Array;
  /** Per node with a table: its lowest word id, the table's length, then the child (or NONE) of each id from there. */
  private readonly direct: Int32Array;
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
    // One more node's fields at the end: where the last node's bindings end.
    const nodes = (this.nodes = new Int32Array((order.length + 1) * FIELDS));
    const edges = (this.edges = new Int32Array(edgeCount * 2));
    const direct: number[] = [];
    let e = 0;
    for (const node of order) {
      const at = node.slot;
      nodes[at + BIND_START] = this.bindings.length;
      node.forEachBinding((b) => this.bindings.push(b));
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
      nodes[at + DIRECT] = tabulate(edges, first, e, direct);
    }
    nodes[order.length * FIELDS + BIND_START] = this.bindings.length;
    this.direct = Int32Array.from(direct);
    // Children come after their parent: fill the word bounds bottom up.
    for (let at = (order.length - 1) * FIELDS; at >= 0; at -= FIELDS) {
      const here = nodes[at + FIELDS + BIND_START] > nodes[at + BIND_START];
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
    if (this.fits(0, this.count)) this.match(0, 0);
  }

  /** Whether a match at or below `node` can consume exactly `left` key words. */
  private fits(node: number, left: number): boolean {
    return left >= this.nodes[node + MIN] && left <= this.nodes[node + MAX];
  }

  /** Visits the matches below `node` for the key words from `i` on (the caller checked fits()). */
  private match(node: number, i: number): void {
    const nodes = this.nodes;
    const count = this.count;
    if (i === count) {
      for (let k = nodes[node + BIND_START], end = nodes[node + FIELDS + BIND_START]; k < end; k++) this.visit(this.bindings[k]);
      // A trailing '#' matches zero words.
      const h = nodes[node + HASH];
      if (h !== NONE && this.fits(h, 0)) this.match(h, i);
      return;
    }
    const left = count - i - 1;
    const word = this.ids[i];
    if (word !== NONE) {
      const child = this.edge(node, word);
      if (child !== NONE && this.fits(child, left)) this.match(child, i + 1);
    }
    const s = nodes[node + STAR];
    if (s !== NONE && this.fits(s, left)) this.match(s, i + 1);
    const h = nodes[node + HASH];
    if (h === NONE) return;
    // '#' takes the next 0, 1, … words: only as many as a match below can use.
    const max = nodes[h + MAX];
    const from = max === UNBOUNDED || count - max <= i ? i : count - max;
    const to = count - nodes[h + MIN];
    for (let j = from; j <= to; j++) this.match(h, j);
  }

  /** The child of `node` along the literal word `word`, or NONE. */
  private edge(node: number, word: number): number {
    const table = this.nodes[node + DIRECT];
    if (table !== NONE) {
      const k = word - this.direct[table];
      return k >= 0 && k < this.direct[table + 1] ? this.direct[table + 2 + k] : NONE;
    }
    const edges = this.edges;
    let lo = this.nodes[node + EDGE_START];
    let hi = this.nodes[node + EDGE_END];
    if (hi - lo <= 2 * SCANNED_EDGES) {
      for (; lo < hi; lo += 2) if (edges[lo] === word) return edges[lo + 1];
      return NONE;
    }
    lo >>= 1;
    hi = (hi >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const w = edges[mid << 1];
      if (w === word) return edges[(mid << 1) + 1];
      if (w < word) lo = mid + 1;
      else hi = mid - 1;
    }
    return NONE;
  }
}

/**
 * Appends to `direct` a table of the children along the sorted edges
 * edges[from, to) when they are many and their word ids close together
 * (SCANNED_EDGES, DIRECT_SPREAD); returns where it starts, or NONE.
 */
function tabulate(edges: Int32Array, from: number, to: number, direct: number[]): number {
  const count = (to - from) >> 1;
  if (count <= SCANNED_EDGES) return NONE;
  const lo = edges[from];
  const span = edges[to - 2] - lo + 1;
  if (span > DIRECT_SPREAD * count) return NONE;
  const at = direct.length;
  direct.push(lo, span);
  for (let k = 0; k < span; k++) direct.push(NONE);
  for (let k = from; k < to; k += 2) direct[at + 2 + edges[k] - lo] = edges[k + 1];
  return at;
}

function noVisit(): void {}
