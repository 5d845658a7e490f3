// GitHub treats label names case-insensitively (a repository cannot hold both "Bug" and
// "bug"), so the policy's spelling need not match the label's.
export function hasLabel(labels: readonly string[], wanted: string): boolean {
  const w = wanted.toLowerCase();
  return labels.some((l) => l.toLowerCase() === w);
}
