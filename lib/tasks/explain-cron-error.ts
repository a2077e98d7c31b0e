const NAMES_5 = ["minute", "hour", "day of month", "month", "weekday"];
const NAMES_6 = ["second", ...NAMES_5];

/**
 * cron-parser's messages ("Constraint error, got value 61 expected range 0-59") in plain words
 * naming the field ("minute 61 is out of range 0–59"). `tryParse` parses a whole expression and
 * returns its error or null: each field is tried alone (the others `*`) to find the culprit.
 */
export function explainCronError(fields: string[], message: string, tryParse: (expr: string) => string | null): string {
  const names = fields.length === 6 ? NAMES_6 : NAMES_5;
  for (let i = 0; i < fields.length; i++) {
    const alone = fields.map((f, j) => (j === i ? f : "*")).join(" ");
    const fieldMessage = tryParse(alone);
    if (fieldMessage) return explainField(names[i]!, fields[i]!, fieldMessage);
  }
  // Every field is fine alone: the combination never happens (30 February).
  if (/day of month/i.test(message)) return `day ${fields.at(-3)} of month ${fields.at(-2)} never happens, so this never runs`;
  return lowerFirst(message);
}

function explainField(name: string, text: string, message: string): string {
  let m = /got value (\S+) expected range (\d+)-(\d+)/.exec(message);
  if (m) return `${name} ${m[1]} is out of range ${m[2]}–${m[3]}`;
  if (/cannot resolve alias "?([^"]+)"?/.test(message)) {
    const hint = name === "month" ? " (use JAN–DEC or 1–12)" : name === "weekday" ? " (use SUN–SAT or 0–7)" : "";
    return `${name} "${text}" is not a ${name === "month" ? "month" : name === "weekday" ? "day" : "valid"} name${hint}`;
  }
  if (/cannot repeat at every 0/.test(message)) return `${name} "${text}": a step (/n) must be at least 1`;
  m = /Invalid range: (\S+), min\((\d+)\) > max\((\d+)\)/.exec(message);
  if (m) return `${name} range ${m[1]} runs backwards (${m[2]} is more than ${m[3]})`;
  if (/Invalid characters/.test(message)) return `${name} "${text}" is not a number, range (1-5), list (1,3) or step (*/5)`;
  if (/occurrence number/.test(message)) return `${name} "${text}": the n in day#n must be 1–5`;
  return `${name} "${text}": ${lowerFirst(message)}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
