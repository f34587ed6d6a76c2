/**
 * Chat template rendering with @huggingface/jinja, the way transformers' apply_chat_template does it:
 * the template sees `messages`, `add_generation_prompt` and the special tokens of tokenizer_config.json
 * (`bos_token`, `eos_token`, ...), plus `raise_exception` and `strftime_now` from the engine.
 */
import { Template } from '@huggingface/jinja';
import { ConfigError } from '../errors.ts';

export type ChatTemplateContext = Record<string, unknown>;
export type ChatTemplateRenderer = (
  messages: Array<{ role: string; content: string }>,
  context: ChatTemplateContext,
) => string;

/**
 * Returns a renderer for `source` (the template text). Parsing is deferred to the first render so a
 * template this engine cannot parse only fails the callers that need it; `origin` names the file in errors.
 */
export function compileChatTemplate(source: string, origin: string): ChatTemplateRenderer {
  let template: Template | undefined;
  return (messages, context) => {
    if (!template) {
      try {
        template = new Template(source);
      } catch (err) {
        throw new ConfigError(`${origin}: cannot parse chat_template: ${(err as Error).message}`, 'INVALID_CHAT_TEMPLATE', { cause: err });
      }
    }
    try {
      return template.render({ ...context, messages });
    } catch (err) {
      throw new ConfigError(`${origin}: chat_template failed to render: ${(err as Error).message}`, 'INVALID_CHAT_TEMPLATE', { cause: err });
    }
  };
}
