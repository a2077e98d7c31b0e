/** A header's first value: Node gives repeated headers as arrays, fetch's Headers as null when absent. */
export function firstValue(value: string | string[] | null | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value) ?? undefined;
}
