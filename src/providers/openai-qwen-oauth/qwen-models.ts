/** Models offered to Qwen OAuth accounts (providers.md §5.3); `coder-model` is Qwen Code's default. */
export const QWEN_MODELS: readonly string[] = ['coder-model', 'qwen3-coder-flash', 'qwen3-coder-plus', 'vision-model'];
export const QWEN_DEFAULT_MODEL = 'coder-model';
