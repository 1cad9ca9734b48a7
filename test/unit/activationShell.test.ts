import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');

describe('the extension\'s activation shell', () => {
  it('bundles no module but its own, so activation reads a few kilobytes and the parts load on first need', () => {
    // Built by `npm run build` (the tier's pretest); esbuild marks each bundled module with a `// path` line.
    const bundle = fs.readFileSync(path.join(root, 'dist/extension.js'), 'utf8');
    const modules = [...bundle.matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(modules, ['src/extension/extension.ts']);
    assert.match(bundle, /require\("\.\/modelDeploy\.js"\)/, 'the shell loads the parts\' bundle from beside it');
    assert.ok(fs.existsSync(path.join(root, 'dist/modelDeploy.js')), 'the parts\' bundle is built');
  });

  it('takes only types from the rest of the extension, so a value import cannot pull the parts into activation', () => {
    const source = fs.readFileSync(path.join(root, 'src/extension/extension.ts'), 'utf8');
    const imports = [...source.matchAll(/^import .*$/gm)].map((m) => m[0]);
    assert.ok(imports.length > 0);
    for (const line of imports) assert.ok(line === "import * as vscode from 'vscode';" || line.startsWith('import type '), `a value import in the shell: ${line}`);
  });

  it('is packaged with the parts\' bundle', () => {
    const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes('!dist/extension.js') && ignore.includes('!dist/modelDeploy.js'));
  });
});
