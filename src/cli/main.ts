import { parseArgs } from 'node:util';
import { UserError } from '../core/errors';
import { PRODUCT_VERSION } from '../core/productVersion';
import { runCoreTasksOnCallingThread } from '../core/worker/runInWorker';
import { cliCommands } from './cliCommands';
import { EXIT_USER_ERROR, printJsonError, reportError } from './cliOutput';

const USAGE = `usage: modeldeploy <command> [options]

commands:
${Object.entries(cliCommands)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`)
  .join('\n')}

options:
  --project DIR      the model project folder (default: the current folder)
  --json             print one machine-readable JSON object on stdout
  --verbose          show stack traces of internal errors
  --help             show this help
  --version          print Model Deploy's version
  --model FILE       init, inspect: the .onnx file
  --port N           run: the host port on 127.0.0.1 (default: a free one)
  --input FILE       predict: the request to send (default: the project's sample, or one made from the model)
  --batch FILE       predict: a JSONL file of requests; results go to --out (default FILE.results.jsonl)
  --url URL          predict: the server to ask (default: the project's local container)
  --binary           predict: send the inputs and receive the outputs as binary tensor data
  --follow           logs: keep printing until Ctrl+C
  --force            eject: overwrite the project's Dockerfile
  --env NAME         diff, deploy, rollback, history, watch, promote --canary|--shadow: the environment
                     (staging, production, ...)
  --yes              deploy, promote, rollback: approve an environment that says approval: required
  --canary PERCENT   deploy: start the candidate beside the current version with PERCENT (1-99) of the
                     requests; promote --canary: give the canary every request (--env, default production);
                     rollback while a canary runs aborts it
  --shadow           deploy: start the candidate beside the current version with a copy of each inference
                     request, its answers compared with the current version's, which alone reach clients;
                     promote --shadow: give the shadow every request; rollback while it runs aborts it
  --analyze          deploy --canary: watch the canary's live error rate and p95 against the current
                     version's for canary.analysis.window_s, roll it back on a regression (exit 3)
  --from NAME        promote: the environment whose image is copied (default staging)
  --to NAME|VERSION  promote: the target environment (default production); rollback: the version or
                     digest to go back to (default the previous entry)
  --registry HOST    login, logout: the registry (default the project's one registry)
  --username USER    login: the user; the password is read from stdin
  --count N          watch: stop after N reports (default: until Ctrl+C); with --json, one object per line

exit codes: 0 done, 1 internal error, 2 a problem to fix (the message says where), 3 a check failed
(parity), a quality gate blocked a deploy or a canary's analysis rolled it back, 130 interrupted`;

/**
 * `--canary` takes a value on deploy and none on promote: given bare (last, or before another option) it
 * is read as `--canary=`, which promote takes as its flag and deploy refuses as no percentage.
 */
function bareCanary(argv: string[]): string[] {
  return argv.map((arg, i) => (arg === '--canary' && (i === argv.length - 1 || argv[i + 1].startsWith('-')) ? '--canary=' : arg));
}

async function main(argv: string[]): Promise<number> {
  // Nothing else runs here while a task does: it need not wait for a thread of its own to start.
  runCoreTasksOnCallingThread();
  let parsed;
  try {
    parsed = parseArgs({
      args: bareCanary(argv),
      allowPositionals: true,
      options: {
        project: { type: 'string', short: 'p', default: '.' },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
        model: { type: 'string' },
        port: { type: 'string' },
        input: { type: 'string' },
        batch: { type: 'string' },
        out: { type: 'string' },
        url: { type: 'string' },
        binary: { type: 'boolean', default: false },
        follow: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        env: { type: 'string' },
        yes: { type: 'boolean', default: false },
        from: { type: 'string' },
        to: { type: 'string' },
        registry: { type: 'string' },
        username: { type: 'string' },
        count: { type: 'string' },
        canary: { type: 'string' },
        analyze: { type: 'boolean', default: false },
        shadow: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    // The options could not be read, --json included: look for it as written.
    if (argv.includes('--json')) printJsonError({ message: (error as Error).message, hint: 'run "modeldeploy --help"' }, EXIT_USER_ERROR);
    process.stderr.write(`error: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_USER_ERROR;
  }
  const { values, positionals } = parsed;
  const name = positionals[0];
  if (values.version) {
    process.stdout.write(values.json ? `${JSON.stringify({ version: PRODUCT_VERSION })}\n` : `modeldeploy ${PRODUCT_VERSION}\n`);
    return 0;
  }
  if (values.help || !name) {
    if (!values.help && values.json) printJsonError({ message: 'no command given', hint: 'run "modeldeploy --help"' }, EXIT_USER_ERROR);
    (name || values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return values.help ? 0 : EXIT_USER_ERROR;
  }
  const command = Object.hasOwn(cliCommands, name) ? cliCommands[name as keyof typeof cliCommands] : undefined;
  const options = { verbose: values.verbose, json: values.json };
  if (!command) {
    return reportError(new UserError(`unknown command "${name}"`, undefined, `run "modeldeploy --help"; commands: ${Object.keys(cliCommands).join(', ')}`), options);
  }
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  try {
    const { project, json, model, port, input, batch, out, url, binary, follow, force, env, yes, from, to, registry, username, count, canary, analyze, shadow } = values;
    return await command.run({ projectDir: project, json, model, port, input, batch, out, url, binary, follow, force, env, yes, from, to, registry, username, count, canary, analyze, shadow, signal: abort.signal, extra: positionals.slice(1) });
  } catch (error) {
    return reportError(error, options);
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
