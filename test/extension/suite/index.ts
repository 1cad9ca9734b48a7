// The test runner that VS Code loads into the extension host (runTests' extensionTestsPath): runs every
// out/test/extension/suite/**/*.test.js (or another folder's, MODELDEPLOY_TEST_SUITE) with mocha, prints the spec report, and writes a JSON summary
// ({ passed, failed, pending, failures: [{ title, error }] }) for the scripts that run the tiers.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** Where the summary goes; runTests sets it, so the extension host (a separate process) writes where it reads. */
export const RESULTS_ENV = 'MODELDEPLOY_TEST_RESULTS';
/** The folder of test files, under out/test/extension: `suite` (the default) or `untrusted`. */
export const SUITE_ENV = 'MODELDEPLOY_TEST_SUITE';
/** Runs only the tests whose full title matches this (a mocha grep). */
export const GREP_ENV = 'MODELDEPLOY_TEST_GREP';
/**
 * Also appends the spec report to this file. The code-server launcher sets it and prints the file as it
 * grows: there the extension host's console reaches the launcher only mixed into the workbench's own log.
 */
export const OUTPUT_ENV = 'MODELDEPLOY_TEST_OUTPUT';

export interface TestResults {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
}

export function resultsFile(): string {
  return process.env[RESULTS_ENV] || path.join(os.tmpdir(), 'modeldeploy-extension-tests.json');
}

function findTests(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .map((file) => path.join(dir, file))
    .sort();
}

function writeResults(results: TestResults): void {
  const file = resultsFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function teeReportTo(file: string): void {
  const base = Mocha.reporters.Base;
  const consoleLog = base.consoleLog;
  base.consoleLog = (...data: unknown[]) => {
    consoleLog(...data);
    fs.appendFileSync(file, `${format(...data)}\n`);
  };
}

export function run(): Promise<void> {
  fs.rmSync(resultsFile(), { force: true });
  const outputFile = process.env[OUTPUT_ENV];
  if (outputFile) teeReportTo(outputFile);
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 20_000, grep: process.env[GREP_ENV] || undefined });
  const failures: TestResults['failures'] = [];
  return new Promise((resolve, reject) => {
    try {
      const dir = path.join(__dirname, '..', process.env[SUITE_ENV] || 'suite');
      const files = findTests(dir);
      if (files.length === 0) throw new Error(`no *.test.js files under ${dir}`);
      for (const file of files) mocha.addFile(file);
      const runner = mocha.run((failed) => {
        const stats = runner.stats;
        writeResults({ passed: stats?.passes ?? 0, failed: stats?.failures ?? failed, pending: stats?.pending ?? 0, failures });
        if (failed > 0) reject(new Error(`${failed} extension test(s) failed`));
        else resolve();
      });
      runner.on('fail', (test, error) => failures.push({ title: test.fullTitle(), error: describeError(error) }));
    } catch (error) {
      // A test file that does not load (syntax error, missing module) counts as one failure.
      console.error(error);
      if (outputFile) fs.appendFileSync(outputFile, `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      writeResults({ passed: 0, failed: 1, pending: 0, failures: [{ title: 'loading the extension tests', error: describeError(error) }] });
      reject(error);
    }
  });
}
