/**
 * Collects lines and writes them in one call per event-loop turn: under load, one write (a system call
 * to the container's log pipe) serves many requests' access-log lines instead of one each.
 */
export function bufferedLines(write: (text: string) => void): { add: (line: string) => void; flush: () => void } {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending.length) return;
    const text = `${pending.join('\n')}\n`;
    pending = [];
    write(text);
  };
  return {
    add: (line) => {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
