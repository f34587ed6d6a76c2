/** The tokenizer interface every tokenizer kind implements (hf.ts, tiktoken.ts); loading is index.ts. */
export interface Tokenizer {
  readonly name: string;
  /** Token ids of `text`, without special tokens (no BOS/EOS). */
  encode(text: string): number[];
  /** Text of `ids`; special tokens are rendered as their text. `decode([])` is ''. */
  decode(ids: number[]): string;
  /** `encode(text).length`. */
  count(text: string): number;
  /** Number of ids, added/special tokens included (HF `len(tokenizer)`). */
  readonly vocabSize: number;
  /** Renders chat messages with the model's chat template (tokenizer_config.json) when one exists; else undefined. */
  applyChatTemplate?(
    messages: Array<{ role: string; content: string }>,
    opts?: { addGenerationPrompt?: boolean },
  ): string;
  /**
   * Ids that decode to ordinary text: not special or added tokens, not byte-fallback pieces (`<0x0A>`).
   * Random prompts are drawn from these. When absent, `[0, vocabSize)` is used.
   */
  ordinaryIds?(): readonly number[];
}
