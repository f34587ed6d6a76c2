/**
 * Synthetic text of a given token length, for the random and shared_prefix datasets and trace replay.
 *
 * Like evalscope's random dataset, the text comes from the tokenizer's own vocabulary: random ids
 * (special, added and byte-fallback tokens excluded) are decoded, and those that decode to a word are
 * kept in a pool (deterministic per tokenizer). Pool words are checked to be one token both at the
 * start of a text and after a space, so "w1 w2 … wn" is n tokens for tokenizers that split on spaces
 * ("additive" mode, checked on samples when the pool is built): no re-encoding per prompt. Tokenizers
 * that are not additive get each text re-encoded and its tail adjusted ("verify" mode); those without
 * enough word tokens fall back to evalscope's decode → re-encode → extend/truncate loop ("ids" mode).
 * Without a tokenizer, a fixed English word list stands in (one word ≈ one token: an estimate).
 *
 * Texts are space-separated words, so texts built from the same leading words share a textual prefix
 * that tokenizes the same: what prefix-cache tests need.
 */
import type { Tokenizer } from '../tokenizers/types.ts';
import { seeded, shuffle, type Rand } from './rng.ts';

export type SynthMode = 'additive' | 'verify' | 'ids' | 'estimate';

export interface SynthText {
  text: string;
  /** Tokens in `text`: counted (or exact by construction) with a tokenizer; the word count without one. */
  tokens: number;
  /** The words of `text`, to start another text with the same prefix (empty in "ids" mode). */
  words: string[];
}

const POOL_SIZE = 4096;
const MAX_SCAN = 60_000;
const MAX_TRIES = 10;

/** Common English words, each one token in the usual BPE vocabularies: the no-tokenizer stand-in. */
const PLAIN_WORDS = (
  'the of and to in is was for on that with as by at from his her they this have had are not but be ' +
  'which one you were all she there would their we him been has when who will more no if out so said ' +
  'what up its about into than them can only other new some could time these two may then do first any ' +
  'my now such like our over man me even most made after also did many before must through back years ' +
  'where much your way well down should because each just those people how too little state good very ' +
  'make world still own see men work long get here between both life being under never day same another ' +
  'know while last might us great old year off come since against go came right used take three house ' +
  'water room light river city night point place small large system number open early music table green'
).split(' ');

const cache = new WeakMap<Tokenizer, TextSynth>();
let plain: TextSynth | undefined;

export class TextSynth {
  private constructor(
    private readonly tokenizer: Tokenizer | undefined,
    private readonly pool: readonly string[],
    readonly mode: SynthMode,
    private readonly ids: readonly number[] = [],
  ) {}

  /** The synthesizer for `tokenizer` (built once per tokenizer; the word pool does not depend on seeds). */
  static for(tokenizer?: Tokenizer): TextSynth {
    if (!tokenizer) return (plain ??= new TextSynth(undefined, PLAIN_WORDS, 'estimate'));
    let synth = cache.get(tokenizer);
    if (!synth) {
      synth = TextSynth.build(tokenizer);
      cache.set(tokenizer, synth);
    }
    return synth;
  }

  private static build(tok: Tokenizer): TextSynth {
    const ids = [...(tok.ordinaryIds?.() ?? Array.from({ length: tok.vocabSize }, (_, i) => i))];
    const order = shuffle([...ids], seeded('llmperf-word-pool'));
    const seen = new Set<string>();
    const pool: string[] = [];
    const base = tok.count('a');
    for (let k = 0; k < order.length && k < MAX_SCAN && pool.length < POOL_SIZE; k++) {
      const word = tok.decode([order[k] as number]).trim();
      if (!/^\p{L}{2,16}$/u.test(word) || seen.has(word)) continue;
      seen.add(word);
      if (tok.count(word) === 1 && tok.count(`a ${word}`) === base + 1) pool.push(word);
    }
    if (pool.length < 32) return new TextSynth(tok, [], 'ids', ids);
    const probe = new TextSynth(tok, pool, 'additive');
    const additive = [1, 2, 3].every((s) => {
      const words = probe.pick(97, seeded('llmperf-additivity', s));
      return tok.count(words.join(' ')) === words.length;
    });
    return additive ? probe : new TextSynth(tok, pool, 'verify');
  }

  /** `n` words drawn from the pool. */
  pick(n: number, rand: Rand): string[] {
    const out: string[] = new Array(Math.max(0, n));
    for (let i = 0; i < out.length; i++) out[i] = this.pool[Math.floor(rand() * this.pool.length)] as string;
    return out;
  }

  /**
   * A text of `tokens` tokens (exact in "additive" mode, measured and adjusted otherwise). With `head`
   * (an earlier result), the text starts with head's text, kept whole, and head's tokens count towards `tokens`.
   */
  text(tokens: number, rand: Rand, head?: SynthText): SynthText {
    const target = Math.max(0, Math.floor(tokens));
    if (this.mode === 'ids') return this.fromIds(target, rand, head);
    const keep = head?.words.length ?? 0;
    const words = [...(head?.words ?? []), ...this.pick(target - (head?.tokens ?? 0), rand)];
    if (this.mode !== 'verify' || !this.tokenizer) return { text: words.join(' '), tokens: words.length, words };
    let count = this.tokenizer.count(words.join(' '));
    for (let tries = 0; tries < MAX_TRIES && count !== target; tries++) {
      const diff = target - count;
      if (diff > 0) words.push(...this.pick(diff, rand));
      else if (words.length > keep) words.length = Math.max(keep, words.length + diff);
      else break;
      count = this.tokenizer.count(words.join(' '));
    }
    return { text: words.join(' '), tokens: count, words };
  }

  /** evalscope's loop: decode random ids, re-encode, extend or truncate, up to MAX_TRIES times. */
  private fromIds(target: number, rand: Rand, head?: SynthText): SynthText {
    const tok = this.tokenizer as Tokenizer;
    const want = Math.max(0, target - (head?.tokens ?? 0));
    const draw = (n: number) => Array.from({ length: n }, () => this.ids[Math.floor(rand() * this.ids.length)] as number);
    let seq = draw(want);
    let text = tok.decode(seq);
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      seq = tok.encode(text);
      if (seq.length === want) break;
      seq = seq.length < want ? [...seq, ...draw(want - seq.length)] : seq.slice(0, want);
      text = tok.decode(seq);
    }
    const full = head ? head.text + text : text;
    return { text: full, tokens: tok.count(full), words: [] };
  }
}
