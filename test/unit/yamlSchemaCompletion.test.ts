import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { makeProject, REPO_ROOT } from '../support/projectFixture';
import { YamlLanguageServer, type CompletionItem, type Diagnostic, type Hover, type Position } from '../support/yamlLanguageClient';

/** The schema the CLI validates with; the editor must get the same one. */
const SCHEMA_FILE = path.join(REPO_ROOT, 'schemas', 'modeldeploy.schema.json');

interface YamlValidation { fileMatch: string | string[]; url: string }
interface SchemaNode {
  title?: string;
  description?: string;
  enum?: string[];
  properties?: Record<string, SchemaNode>;
  propertyNames?: { enum?: string[] };
  additionalProperties?: SchemaNode | boolean;
}

/**
 * What Red Hat's YAML extension sends the server for each `contributes.yamlValidation` entry
 * (getSchemaAssociations in its src/extension.ts): a './' url joined to the extension's folder,
 * a bare file name given a leading '/'.
 */
function schemaAssociation(entry: YamlValidation, extensionRoot: string): { fileMatch: string[]; uri: string } {
  const uri = entry.url.startsWith('./') ? pathToFileURL(path.join(extensionRoot, entry.url)).href : entry.url;
  const fileMatch = [entry.fileMatch].flat().map((pattern) => (/^(\w+:\/\/|\/|!)/.test(pattern) ? pattern : `/${pattern}`));
  return { fileMatch, uri };
}

/** A document written with `<|name|>` cursors: the text without them, and where each one was. */
function withCursors(source: string): { text: string; at: Record<string, Position> } {
  const at: Record<string, Position> = {};
  const lines = source.split('\n').map((line, index) => {
    for (let match = /<\|([\w-]+)\|>/.exec(line); match; match = /<\|([\w-]+)\|>/.exec(line)) {
      at[match[1]] = { line: index, character: match.index };
      line = line.slice(0, match.index) + line.slice(match.index + match[0].length);
    }
    return line;
  });
  return { text: lines.join('\n'), at };
}

// A project half written, as when completion is wanted: the model and its validation set, a gate, one environment.
// A blank line with a cursor is where the user has just pressed Enter; the indentation says which mapping it is in.
const PARTIAL = withCursors(`# The iris classifier: softmax regression on Fisher's iris measurements.
name: iris-classifier
version: 2.0.0
model: model/iris-v2.onnx
<|top|>
task: <|task|>
<|hover-validation|>validation:
  data: data/validation.csv
  <|hover-target|>target: species
  <|validation|>
gates:
  accuracy: { min: 0.75, <|hover-max_drop|>max_drop: 0.01 }
  <|gates|>
environments:
  staging:
    approval: <|approval|>
    <|staging|>
`);

// Two mistakes the schema forbids: a key Model Deploy does not know, and a gate bound that is not a number.
const BROKEN = `name: iris-classifier
version: 2.0.0
model: model/iris-v2.onnx
task: classification
replicas: 3
gates:
  accuracy: { min: high }
`;

/** Completion labels, sorted, so lists compare whatever order the server ranks them in. */
function labels(answer: { items: CompletionItem[] } | CompletionItem[] | null): string[] {
  const items = Array.isArray(answer) ? answer : (answer?.items ?? []);
  return items.map((item) => item.label).sort();
}

function sorted(names: string[]): string[] {
  return [...names].sort();
}

/** The keys a mapping of the document already has; the server leaves them out of completion. */
function written(mapping: unknown): string[] {
  return mapping && typeof mapping === 'object' ? Object.keys(mapping) : [];
}

describe('the modeldeploy.yaml schema in a YAML editor (Red Hat\'s yaml-language-server, over stdio)', function () {
  this.timeout(60_000);
  let schema: SchemaNode;
  let schemaUri: string;
  let server: YamlLanguageServer;
  let project: { dir: string; cleanup: () => void };
  let partialUri: string;
  let brokenUri: string;

  before(async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes?: { yamlValidation?: YamlValidation[] } };
    const contributed = manifest.contributes?.yamlValidation ?? [];
    const ours = contributed.find((entry) => path.resolve(REPO_ROOT, entry.url) === SCHEMA_FILE);
    assert.ok(ours, `package.json contributes.yamlValidation does not contribute ${path.relative(REPO_ROOT, SCHEMA_FILE)}: ${JSON.stringify(contributed)}`);
    schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as SchemaNode;
    schemaUri = pathToFileURL(SCHEMA_FILE).href;

    project = makeProject({ 'modeldeploy.yaml': PARTIAL.text, 'broken/modeldeploy.yaml': BROKEN });
    partialUri = pathToFileURL(path.join(project.dir, 'modeldeploy.yaml')).href;
    brokenUri = pathToFileURL(path.join(project.dir, 'broken', 'modeldeploy.yaml')).href;
    // The YAML extension's settings as a user has them, with the schema store and the CRD store off:
    // they would download catalogs, and the association under test comes from package.json alone.
    server = new YamlLanguageServer({
      yaml: { completion: true, hover: true, validate: true, schemas: {}, schemaStore: { enable: false }, kubernetesCRDStore: { enable: false } },
    });
    const folder = pathToFileURL(project.dir).href;
    await server.request('initialize', {
      processId: process.pid,
      rootUri: folder,
      workspaceFolders: [{ uri: folder, name: path.basename(project.dir) }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true },
        textDocument: {
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          publishDiagnostics: { relatedInformation: true },
        },
      },
    });
    server.notify('initialized', {});
    await server.configurationServed(1);
    // The extension sends every contribution at once; one array is one positional parameter, so it goes wrapped.
    server.notify('json/schemaAssociations', [contributed.map((entry) => schemaAssociation(entry, REPO_ROOT))]);
    // The server reads its settings again on an association change; documents opened after that see the schema.
    await server.configurationServed(2);
    for (const [uri, text] of [[partialUri, PARTIAL.text], [brokenUri, BROKEN]]) {
      server.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    }
    // Validated means parsed and matched to a schema: from then on completion and hover answer for it.
    await Promise.all([partialUri, brokenUri].map((uri) => server.publishedDiagnostics(uri, () => true)));
  });

  after(async () => {
    try {
      await server?.stop();
    } finally {
      server?.kill();
      project?.cleanup();
    }
  });

  const complete = (cursor: string) => server.request<{ items: CompletionItem[] } | null>('textDocument/completion', { textDocument: { uri: partialUri }, position: PARTIAL.at[cursor] });
  const hover = (cursor: string) => server.request<Hover | null>('textDocument/hover', { textDocument: { uri: partialUri }, position: PARTIAL.at[cursor] });

  it('completes, at the top level, the schema\'s keys the file does not have yet, and nothing else', async () => {
    const expected = Object.keys(schema.properties!).filter((key) => !written(parse(PARTIAL.text)).includes(key));
    assert.ok(expected.length >= 3, `the document should leave some top-level keys to complete: ${expected}`);
    assert.deepEqual(labels(await complete('top')), sorted(expected));
  });

  const nested: Array<[where: string, cursor: string, keys: (schema: SchemaNode) => string[], mapping: (document: Record<string, Record<string, unknown>>) => unknown]> = [
    ['validation', 'validation', (s) => Object.keys(s.properties!.validation.properties!), (d) => d.validation],
    ['gates (the metric names its propertyNames allow)', 'gates', (s) => s.properties!.gates.propertyNames!.enum!, (d) => d.gates],
    ['an environment (its additionalProperties\' keys)', 'staging', (s) => Object.keys((s.properties!.environments.additionalProperties as SchemaNode).properties!), (d) => d.environments.staging],
  ];
  for (const [where, cursor, keys, mapping] of nested) {
    it(`completes, inside ${where}, that mapping's keys the file does not have yet`, async () => {
      const expected = keys(schema).filter((key) => !written(mapping(parse(PARTIAL.text))).includes(key));
      assert.ok(expected.length >= 2, `the document should leave some keys of ${where} to complete: ${expected}`);
      assert.deepEqual(labels(await complete(cursor)), sorted(expected));
    });
  }

  const enums: Array<[key: string, cursor: string, values: (schema: SchemaNode) => string[] | undefined]> = [
    ['task', 'task', (s) => s.properties!.task.enum],
    ['an environment\'s approval', 'approval', (s) => (s.properties!.environments.additionalProperties as SchemaNode).properties!.approval.enum],
  ];
  for (const [key, cursor, values] of enums) {
    it(`completes the value of ${key} with exactly its enum`, async () => {
      const expected = values(schema);
      assert.ok(expected && expected.length > 1, `${key} should be an enum in the schema`);
      assert.deepEqual(labels(await complete(cursor)), sorted(expected));
    });
  }

  const hovers: Array<[key: string, cursor: string, description: (schema: SchemaNode) => string | undefined]> = [
    ['validation (a top-level key)', 'hover-validation', (s) => s.properties!.validation.description],
    ['validation.target (a nested key)', 'hover-target', (s) => s.properties!.validation.properties!.target.description],
    ['a gate\'s max_drop (in a flow mapping, under additionalProperties)', 'hover-max_drop', (s) => (s.properties!.gates.additionalProperties as SchemaNode).properties!.max_drop.description],
  ];
  for (const [key, cursor, description] of hovers) {
    it(`shows, on hover over ${key}, its description from the schema and the schema file as the source`, async () => {
      const expected = description(schema);
      assert.ok(expected, `${key} should have a description in the schema`);
      const answer = await hover(cursor);
      assert.ok(answer, `no hover over ${key}`);
      assert.ok(typeof answer.contents === 'object' && 'value' in answer.contents, `hover contents should be markup: ${JSON.stringify(answer.contents)}`);
      // The server renders markdown: a title, the description as a paragraph of its own, then a link to the schema.
      const paragraphs = answer.contents.value.split('\n\n');
      assert.ok(paragraphs.includes(expected), `the description is not a paragraph of the hover:\n${answer.contents.value}`);
      assert.ok(paragraphs.at(-1)!.includes(`(${schemaUri})`), `the hover does not name ${schemaUri} as its source:\n${answer.contents.value}`);
    });
  }

  it('flags an unknown key and a wrongly typed value, each on its own line, and nothing else', async () => {
    const diagnostics = await server.publishedDiagnostics(brokenUri, () => true);
    const lineOf = (text: string) => BROKEN.split('\n').findIndex((line) => line.includes(text));
    const found = diagnostics.map((d: Diagnostic) => ({ line: d.range.start.line, message: d.message })).sort((a, b) => a.line - b.line);
    assert.deepEqual(found.map((d) => d.line), [lineOf('replicas:'), lineOf('min: high')], JSON.stringify(found));
    assert.match(found[0].message, /replicas.* not allowed/);
    assert.match(found[1].message, /Expected "number"/);
  });
});
