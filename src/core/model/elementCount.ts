/**
 * The number of elements of a tensor of these dimensions. A loop rather than `reduce`: the serving path
 * counts the dimensions of request headers that are kept frozen, and V8 optimises array builtins on
 * frozen arrays far less than on ordinary ones.
 */
export function elementCount(dims: readonly number[]): number {
  let count = 1;
  for (let i = 0; i < dims.length; i++) count *= dims[i];
  return count;
}
