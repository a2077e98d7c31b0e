/** `plural(1, "task")` → "1 task", `plural(3, "task")` → "3 tasks". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
