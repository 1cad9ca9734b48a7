/**
 * The bin of `value` among ascending `edges`: the number of edges below it, so a value equal to an edge
 * falls in the bin that edge closes (bins are closed on the right, like Prometheus' `le` buckets).
 * -1 for NaN, which has no place on the line. The one rule both the profile and the runtime's counts use.
 */
export function binIndex(edges: readonly number[], value: number): number {
  if (value !== value) return -1;
  let bin = 0;
  while (bin < edges.length && value > edges[bin]) bin++;
  return bin;
}
