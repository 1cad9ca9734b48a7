import * as path from 'node:path';
import { initProject } from '../core/project/initProject';
import { loadProject } from '../core/project/loadProject';
import { formatModelInfo } from '../core/report/modelReport';
import { formatValidationReport } from '../core/report/validationReport';
import { validateProject } from '../core/validation/validateProject';
import { runInWorker } from '../core/worker/runInWorker';
import { displayPath } from './cliOutput';

export interface CliContext {
  projectDir: string;
  json: boolean;
  model?: string;
  signal: AbortSignal;
  extra: string[];
}

interface CliCommand {
  summary: string;
  run(ctx: CliContext): Promise<number>;
}

function print(ctx: CliContext, value: unknown, text: string): void {
  process.stdout.write(ctx.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

/** One table of commands; each handler is a thin shell over a core use-case. */
export const cliCommands = {
  init: {
    summary: 'write a commented modeldeploy.yaml from the project\'s .onnx model (--model FILE to choose one)',
    async run(ctx) {
      const result = await initProject(ctx.projectDir, ctx.model ? path.resolve(ctx.model) : undefined);
      print(ctx, result, `wrote ${displayPath(result.configFile)} for ${displayPath(result.model)}`);
      return 0;
    },
  },
  inspect: {
    summary: 'show the model\'s inputs, outputs, producer, opsets, size and sha256',
    async run(ctx) {
      const file = ctx.model ? path.resolve(ctx.model) : loadProject(ctx.projectDir).model;
      const info = await runInWorker('inspect', { file }, { signal: ctx.signal });
      print(ctx, info, formatModelInfo({ ...info, file: displayPath(info.file) }));
      return 0;
    },
  },
  validate: {
    summary: 'score the model on the validation set and write .modeldeploy/metrics/<version>.json',
    async run(ctx) {
      const project = loadProject(ctx.projectDir);
      const showProgress = !ctx.json && process.stderr.isTTY;
      const report = await validateProject(project, {
        signal: ctx.signal,
        onProgress: showProgress ? (p) => process.stderr.write(`\rvalidating: ${p.rows} rows`) : undefined,
      });
      if (showProgress) process.stderr.write('\r\x1b[K');
      print(ctx, report, `${formatValidationReport(report)}\n\nwrote ${displayPath(report.file)}`);
      return 0;
    },
  },
} satisfies Record<string, CliCommand>;
