// Prints the failed tests of every tier in a few lines each, for the end of a run's output, where a CI
// log that keeps only its tail still shows them.
// Usage: node scripts/test-failures.mjs TIER=FILE ...: a mocha spec log (*.log) or a tier's JSON results
// ({ failures: [{ title, error }] }, *.json).
import * as fs from 'node:fs';

const MAX_LINE = 400;

function clip(text) {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
}

// Mocha's spec reporter ends with "N failing" and then one block per failure: "  1) suite", the nested
// titles, the error's message, then its stack ("at ...").
function fromMochaLog(text) {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^\s*\d+ failing/.test(line));
  if (start < 0) return [];
  const failures = [];
  let current;
  for (const line of lines.slice(start + 1)) {
    if (/^\s+\d+\) /.test(line)) {
      current = { title: [line.replace(/^\s+\d+\) /, '')], error: [] };
      failures.push(current);
    } else if (current && /^\s+at /.test(line)) {
      current.done = true;
    } else if (current && !current.done && line.trim()) {
      (current.error.length || !/:\s*$/.test(line) ? current.error : current.title).push(line.trim());
    }
  }
  return failures.map((failure) => ({ title: failure.title.join(' ').replace(/:$/, ''), error: failure.error.slice(0, 4).join(' ') }));
}

function fromResults(text) {
  return JSON.parse(text).failures ?? [];
}

let printed = 0;
for (const argument of process.argv.slice(2)) {
  const [tier, file] = argument.split('=');
  let failures;
  try {
    const text = fs.readFileSync(file, 'utf8');
    failures = file.endsWith('.json') ? fromResults(text) : fromMochaLog(text);
  } catch {
    continue; // a tier that left no file has said why above, and counts as failed there
  }
  for (const failure of failures) {
    if (printed === 0) console.log('failed tests:');
    printed++;
    console.log(`  ✗ ${tier}: ${clip(failure.title)}`);
    if (failure.error) console.log(`      ${clip(failure.error)}`);
  }
}
