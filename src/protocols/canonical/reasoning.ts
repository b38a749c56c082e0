import type { ReasoningConfig, ReasoningEffort } from './types.js';

const EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];

export function parseEffort(value: unknown): ReasoningEffort | undefined {
  return typeof value === 'string' && (EFFORTS as readonly string[]).includes(value.toLowerCase()) ? (value.toLowerCase() as ReasoningEffort) : undefined;
}

/** Budget -> effort: up to 2k tokens is low, up to 8k medium, more is high. */
export function effortFromBudget(budget: number): ReasoningEffort {
  if (budget <= 0) return 'none';
  if (budget <= 2048) return 'low';
  if (budget <= 8192) return 'medium';
  return 'high';
}

/** Effort -> thinking budget in tokens (Claude's minimum budget is 1024). */
export function budgetFromEffort(effort: ReasoningEffort): number {
  switch (effort) {
    case 'none':
      return 0;
    case 'minimal':
      return 1024;
    case 'low':
      return 2048;
    case 'medium':
      return 8192;
    case 'high':
      return 24576;
    default:
      return 32768;
  }
}

/** The effort a reasoning config implies, for protocols that only speak effort (OpenAI). */
export function effortOf(reasoning: ReasoningConfig): ReasoningEffort {
  if (reasoning.mode === 'disabled') return 'none';
  if (reasoning.effort) return reasoning.effort;
  if (reasoning.budgetTokens !== undefined) return effortFromBudget(reasoning.budgetTokens);
  return reasoning.mode === 'adaptive' ? 'high' : 'medium';
}

/** OpenAI accepts low/medium/high (and minimal/none on newer models); stronger levels fold into high. */
export function openaiEffort(effort: ReasoningEffort): string {
  return effort === 'xhigh' || effort === 'max' ? 'high' : effort;
}
