// Lists as messages say them.

/** "a", "a or b", "a, b or c". */
export function orList(parts: readonly string[]): string {
  const last = parts.at(-1) ?? "";
  return parts.length <= 1 ? last : `${parts.slice(0, -1).join(", ")} or ${last}`;
}

/** "a", "a and b", "a, b and c". */
export function andList(parts: readonly string[]): string {
  const last = parts.at(-1) ?? "";
  return parts.length <= 1 ? last : `${parts.slice(0, -1).join(", ")} and ${last}`;
}
