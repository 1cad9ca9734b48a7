import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The few Language Server Protocol shapes the tests read. */
export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
export interface Diagnostic { range: Range; message: string; severity?: number; source?: string }
export interface CompletionItem { label: string; kind?: number; insertText?: string; documentation?: unknown }
export interface Hover { contents: { kind: string; value: string } | string | Array<string | { value: string }>; range?: Range }

interface Message {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

interface Pending {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** The server's entry point, found the way npm finds it: the package's `bin`. */
function serverBin(): string {
  const manifest = require.resolve('yaml-language-server/package.json');
  const bin = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { bin: Record<string, string> }).bin['yaml-language-server'];
  return path.join(path.dirname(manifest), bin);
}

/**
 * Red Hat's YAML language server in its own process, spoken to over stdio the way an editor does:
 * JSON-RPC messages framed by a Content-Length header. It answers the server's own requests as
 * VS Code would: `workspace/configuration` from `settings` (keyed by section), anything else with null.
 */
export class YamlLanguageServer {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private readonly diagnostics = new Map<string, Diagnostic[]>();
  private readonly diagnosticListeners = new Set<() => void>();
  private readonly configurationListeners = new Set<() => void>();
  private received = Buffer.alloc(0);
  private nextId = 1;
  private log = '';
  /** How many `workspace/configuration` requests have been answered. */
  private configurationsServed = 0;
  readonly exited: Promise<number | null>;

  constructor(private readonly settings: Record<string, unknown>, private readonly timeoutMs = 10_000) {
    this.child = spawn(process.execPath, [serverBin(), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.child.on('exit', (code, signal) => {
      for (const [id, request] of this.pending) {
        clearTimeout(request.timer);
        request.reject(new Error(`yaml-language-server exited (${code ?? signal}) before answering ${request.method}; its log:\n${this.logTail()}`));
        this.pending.delete(id);
      }
    });
    // A write after the server died must fail its request (by the exit above), not crash the test run.
    this.child.stdin!.on('error', () => undefined);
    this.child.stderr!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.child.stdout!.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  /** Sends a request and waits for its answer, at most `timeoutMs`, so a silent server fails the test instead of hanging it. */
  request<T>(method: string, params: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    const id = this.nextId++;
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.reject(new Error(`yaml-language-server has exited; it cannot answer ${method}; its log:\n${this.logTail()}`));
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`yaml-language-server did not answer ${method} within ${timeoutMs} ms; its log:\n${this.logTail()}`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (result: unknown) => void, reject, timer });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Waits until the server has answered `count` configuration requests in all: it reads its settings only when it asks for them. */
  configurationServed(count: number, timeoutMs = this.timeoutMs): Promise<void> {
    return this.waitFor(this.configurationListeners, () => this.configurationsServed >= count, timeoutMs, () => `yaml-language-server asked for its configuration ${this.configurationsServed} times, not ${count}, within ${timeoutMs} ms`);
  }

  /** Waits for the server to publish diagnostics for `uri` that `accept` takes, and returns them. */
  async publishedDiagnostics(uri: string, accept: (diagnostics: Diagnostic[]) => boolean, timeoutMs = this.timeoutMs): Promise<Diagnostic[]> {
    const latest = () => this.diagnostics.get(uri);
    await this.waitFor(this.diagnosticListeners, () => latest() !== undefined && accept(latest()!), timeoutMs, () =>
      `yaml-language-server published no matching diagnostics for ${uri} within ${timeoutMs} ms; the last ones: ${JSON.stringify(latest() ?? 'none')}`);
    return latest()!;
  }

  /** The LSP goodbye, shutdown then exit; the process is killed if it does not leave by itself. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      await this.request('shutdown', null, 5000);
      this.notify('exit', null);
      const left = await Promise.race([this.exited.then(() => true), new Promise<false>((resolve) => setTimeout(resolve, 5000, false))]);
      if (!left) throw new Error('yaml-language-server did not exit within 5 s of the exit notification');
    } finally {
      this.kill();
    }
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  logTail(): string {
    return this.log.slice(-2000);
  }

  private waitFor(listeners: Set<() => void>, done: () => boolean, timeoutMs: number, failure: () => string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(failure()));
      }, timeoutMs);
      listeners.add(check);
    });
  }

  private send(message: Message): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  /** Splits stdout into messages: a header block ending in a blank line, then Content-Length bytes of JSON. */
  private receive(chunk: Buffer): void {
    this.received = Buffer.concat([this.received, chunk]);
    for (;;) {
      const headerEnd = this.received.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.received.subarray(0, headerEnd).toString('ascii'))?.[1]);
      if (!Number.isInteger(length)) {
        // Not LSP framing (a stray print?): stop the server, so every waiting request fails with this in the log.
        this.log += `unframed output from the server: ${this.received.toString().slice(0, 500)}\n`;
        this.kill();
        return;
      }
      const bodyStart = headerEnd + 4;
      if (this.received.length < bodyStart + length) return;
      const message = JSON.parse(this.received.subarray(bodyStart, bodyStart + length).toString('utf8')) as Message;
      this.received = this.received.subarray(bodyStart + length);
      this.dispatch(message);
    }
  }

  private dispatch(message: Message): void {
    if (message.method === undefined) {
      const request = this.pending.get(Number(message.id));
      if (!request) return;
      this.pending.delete(Number(message.id));
      clearTimeout(request.timer);
      if (message.error) request.reject(new Error(`yaml-language-server refused ${request.method}: ${message.error.message}`));
      else request.resolve(message.result);
    } else if (message.id !== undefined) {
      this.answer(message);
    } else if (message.method === 'textDocument/publishDiagnostics') {
      const { uri, diagnostics } = message.params as { uri: string; diagnostics: Diagnostic[] };
      this.diagnostics.set(uri, diagnostics);
      for (const listener of [...this.diagnosticListeners]) listener();
    } else if (message.method === 'window/logMessage' || message.method === 'window/showMessage') {
      this.log += `${(message.params as { message: string }).message}\n`;
    }
  }

  private answer(request: Message): void {
    if (request.method === 'workspace/configuration') {
      const { items } = request.params as { items: Array<{ section?: string }> };
      this.send({ jsonrpc: '2.0', id: request.id, result: items.map((item) => this.settings[item.section ?? ''] ?? null) });
      this.configurationsServed++;
      for (const listener of [...this.configurationListeners]) listener();
    } else {
      // client/registerCapability, workspace/codeLens/refresh and the like: acknowledged, nothing to do here.
      this.send({ jsonrpc: '2.0', id: request.id, result: null });
    }
  }
}
