/**
 * The engine's only source of randomness: a seeded generator (mulberry32),
 * so server-made names (amq.gen-…, amq.ctag-…) replay identically.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export class SeededRandom {
  private state: number;

  constructor(seed = 1) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** 22 base64url characters, like rabbit_guid's names. */
  guid(): string {
    let s = '';
    for (let i = 0; i < 22; i++) s += ALPHABET[Math.floor(this.next() * 64)];
    return s;
  }

  get seed(): number {
    return this.state;
  }

  set seed(value: number) {
    this.state = value >>> 0;
  }
}
