import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const JSON_LOG = path.resolve(__dirname, '../../src/runtime/jsonLog.js');

/** Runs `script` in a Node process with the runtime's log module as `jsonLog`; resolves with its stdout once it has exited. */
function stdoutOf(script: string, readAfterMs = 0): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(process.execPath, ['-e', `const jsonLog = require(${JSON.stringify(JSON_LOG)});\n${script}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Not reading stdout for a while lets the pipe fill up, as a slow log collector does.
  setTimeout(() => child.stdout.on('data', (chunk: Buffer) => out.push(chunk)), readAfterMs);
  return new Promise((resolve) => child.on('close', (code) => resolve({ stdout: Buffer.concat(out).toString(), stderr, code })));
}

describe('the runtime log on stdout', () => {
  it('writes one JSON line per entry with its time, level, message and fields', async () => {
    const { stdout, code } = await stdoutOf("jsonLog.log('info', 'listening', { startMs: { ready: 3 } }); jsonLog.log('error', 'stopped');");
    assert.equal(code, 0);
    const lines = stdout.split('\n');
    assert.equal(lines.pop(), '', 'every entry ends with a newline');
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      entries.map(({ time: _time, ...rest }) => rest),
      [
        { level: 'info', message: 'listening', startMs: { ready: 3 } },
        { level: 'error', message: 'stopped' },
      ],
    );
    for (const { time } of entries) assert.ok(!Number.isNaN(Date.parse(String(time))), `an ISO time: ${String(time)}`);
  });

  it('loses and reorders nothing when a full non-blocking pipe refuses a write: the rest goes through the stream, in order', async () => {
    // Creating process.stdout makes a pipe non-blocking; the reader then waits while 2 MB are written,
    // far more than a pipe holds, so the direct write fails part-way and the stream must take over.
    const script = `
      process.stdout;
      let viaStream = 0;
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = (...args) => { viaStream++; return write(...args); };
      for (let i = 0; i < 2000; i++) jsonLog.writeStdout(String(i).padStart(6, '0') + ' ' + 'x'.repeat(1000) + '\\n');
      process.stderr.write('via stream: ' + viaStream);`;
    const { stdout, stderr, code } = await stdoutOf(script, 300);
    assert.equal(code, 0, stderr);
    assert.ok(Number(/via stream: (\d+)/.exec(stderr)?.[1]) > 0, `the pipe refused a write and the stream took over (${stderr})`);
    const lines = stdout.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 2000);
    lines.forEach((line, i) => assert.equal(line, `${String(i).padStart(6, '0')} ${'x'.repeat(1000)}`, `line ${i} arrives whole and in its place`));
  });
});
