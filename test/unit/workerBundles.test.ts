import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('the worker threads\' scripts', () => {
  // A thread's script sits beside the bundle that starts it: a script that is not built, or not in the
  // .vsix, fails only when that thread starts, in the user's editor.
  const scripts = sources(path.join(root, 'src')).flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(/path\.join\(__dirname, '(\w+)\.js'\)/g)].map((m) => m[1]));

  it('are found in the code: the core worker and the data reader', () => {
    assert.deepEqual([...scripts].sort(), ['coreWorker', 'dataReaderWorker']);
  });

  it('are each built into dist/ (npm run build, the tier\'s pretest) and shipped in the .vsix', () => {
    const shipped = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
    for (const script of scripts) {
      assert.ok(fs.existsSync(path.join(root, 'dist', `${script}.js`)), `dist/${script}.js is built`);
      assert.ok(shipped.includes(`!dist/${script}.js`), `.vscodeignore ships dist/${script}.js`);
    }
  });
});
