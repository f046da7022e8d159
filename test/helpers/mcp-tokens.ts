/**
 * A tokenizer approximation for budget tests: the larger of chars/4 and a word-piece count
 * (runs of letters, runs of digits, each punctuation mark), which errs high on JSON.
 */
export function estimateTokens(text: string): number {
  const pieces = text.match(/[A-Za-z]+|\d+|[^\sA-Za-z\d]/g) ?? [];
  return Math.max(Math.ceil(text.length / 4), pieces.length);
}
