import { LineCounter, isAlias, parseDocument, visit } from 'yaml';
import type { Document, YAMLError } from 'yaml';
import { MAX_ALIAS_COUNT, MAX_SYNTAX_PROBLEMS, MAX_YAML_FILE_BYTES, tooLargeMessage } from './limits';
import { Locator } from './locate';
import type { Position } from './locate';
import type { ProblemSink } from './problems';

/** The codes `readYaml` reports. */
export type YamlReadCode = 'YAML_SYNTAX' | 'READ_FAILED';

/**
 * Parses one YAML document into plain data plus a locator for its nodes. Syntax errors,
 * warnings (such as unknown tags), oversized input and alias bombs become problems, and
 * then no data is returned: positions in a broken document are not worth validating.
 * A leading byte-order mark is dropped, so that columns on line 1 are as editors show them.
 */
export function readYaml(text: string, problems: ProblemSink<YamlReadCode>): { data: unknown; locator: Locator } | undefined {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const size = Buffer.byteLength(source, 'utf8');
  if (size > MAX_YAML_FILE_BYTES) {
    problems.addAt('READ_FAILED', { line: 1, col: 1 }, tooLargeMessage(size));
    return undefined;
  }
  const lineCounter = new LineCounter();
  let doc;
  try {
    // logLevel 'error': the library would otherwise print process warnings (e.g. for collection keys) from inside a Lambda.
    doc = parseDocument(source, { lineCounter, prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  } catch (error) {
    problems.addAt('YAML_SYNTAX', { line: 1, col: 1 }, `cannot parse YAML: ${(error as Error).message}`);
    return undefined;
  }
  const locator = new Locator(doc, lineCounter, source);
  const yamlProblems = [...doc.errors, ...doc.warnings];
  for (const error of yamlProblems.slice(0, MAX_SYNTAX_PROBLEMS)) {
    problems.addAt('YAML_SYNTAX', yamlPosition(error, locator), firstLine(error));
  }
  if (yamlProblems.length > 0) return undefined;
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), locator };
  } catch (error) {
    problems.addAt('YAML_SYNTAX', culpritAlias(doc, locator), `cannot resolve the document: ${(error as Error).message}`);
    return undefined;
  }
}

function yamlPosition(error: YAMLError, locator: Locator): Position {
  const start = error.linePos?.[0];
  return start !== undefined ? { line: start.line, col: start.col } : locator.positionOf(error.pos[0]);
}

/** prettyErrors appends " at line L, column C:" and an excerpt; the location is reported separately. */
function firstLine(error: YAMLError): string {
  const line = error.message.split('\n', 1)[0] ?? error.message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

/** Where resolving failed: the first alias without an anchor, else the first alias (the bomb's fuse). */
function culpritAlias(doc: Document, locator: Locator): Position {
  let first: number | undefined;
  let unresolved: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (!isAlias(node) || node.range == null) return undefined;
      first ??= node.range[0];
      if (node.resolve(doc) === undefined) {
        unresolved = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return locator.positionOf(unresolved ?? first ?? 0);
}
