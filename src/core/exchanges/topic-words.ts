/**
 * The literal words of a topic exchange's binding keys, each with a small
 * integer id, found straight from a routing key's characters: no word is
 * sliced out of the key and no string is hashed by a Map, which made most
 * of the cost of walking a trie. The trie's edges and the compiled form
 * both name words by these ids. Words stay once added (a few bytes each,
 * bounded by the distinct words ever bound).
 */
export class TopicWords {
  /** The word of each id. */
  private readonly words: string[] = [];
  private readonly hashes: number[] = [];
  /** Open addressing: id + 1 per slot, 0 when empty. */
  private table = new Int32Array(64);
  /** The ids of the last key split by idsOf() (-1: a word no binding key has). */
  ids = new Int32Array(16);

  get size(): number {
    return this.words.length;
  }

  /** The id of key[start, end), or -1 when it is not a word of any binding key. */
  find(key: string, start: number, end: number): number {
    return this.lookup(key, start, end, wordHash(key, start, end));
  }

  /** The id of key[start, end), made if the word is new. */
  intern(key: string, start: number, end: number): number {
    const hash = wordHash(key, start, end);
    const id = this.lookup(key, start, end, hash);
    if (id >= 0) return id;
    const made = this.words.length;
    this.words.push(key.slice(start, end));
    this.hashes.push(hash);
    if (2 * this.words.length > this.table.length) this.rehash(this.table.length * 2);
    else this.place(made, hash);
    return made;
  }

  /**
   * Splits `key` on '.' into the ids of its words, in `ids`; returns how
   * many words (the empty key has none; empty words count).
   */
  idsOf(key: string): number {
    if (key === '') return 0;
    let count = 0;
    let start = 0;
    for (;;) {
      const dot = key.indexOf('.', start);
      const end = dot < 0 ? key.length : dot;
      if (count === this.ids.length) {
        const ids = new Int32Array(count * 2);
        ids.set(this.ids);
        this.ids = ids;
      }
      this.ids[count++] = this.find(key, start, end);
      if (dot < 0) return count;
      start = dot + 1;
    }
  }

  private lookup(key: string, start: number, end: number, hash: number): number {
    const table = this.table;
    const mask = table.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = table[slot];
      if (entry === 0) return -1;
      const id = entry - 1;
      if (this.hashes[id] === hash) {
        const word = this.words[id];
        if (word.length === length && key.startsWith(word, start)) return id;
      }
    }
  }

  private place(id: number, hash: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let slot = hash & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = id + 1;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size);
    for (let id = 0; id < this.words.length; id++) this.place(id, this.hashes[id]);
  }
}

/** FNV-1a over the UTF-16 code units of key[start, end). */
function wordHash(key: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff; // a small integer
}
