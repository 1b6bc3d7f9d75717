import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../src/slack/templates';
import { parseTemplate } from '../../src/slack/template-parse';
import { MAX_ALIAS_COUNT, MAX_YAML_FILE_BYTES } from '../../src/yaml/limits';

describe('shipped templates', () => {
  it('all load without problems', () => {
    const { templates, problems } = loadTemplates(DEFAULT_TEMPLATES_DIR);
    expect(problems).toEqual([]);
    expect(templates.names()).toEqual(['alarm', 'cloudtrail', 'generic', 'ssh', 'waf']);
  });

  it('read the fields the brief asks for', () => {
    const { templates } = loadTemplates(DEFAULT_TEMPLATES_DIR);
    const labels = (name: string): string[] => templates.get(name)?.fields.map((f) => f.label) ?? [];
    expect(labels('ssh')).toEqual(expect.arrayContaining(['User', 'Source', 'Host', 'Method']));
    expect(labels('waf')).toEqual(expect.arrayContaining(['Client IP', 'Country', 'URI', 'Method', 'Rule', 'Web ACL']));
    expect(labels('cloudtrail')).toEqual(expect.arrayContaining(['Event', 'Actor', 'Source IP', 'Security group', 'Permissions', 'Open to the world']));
    expect(labels('alarm')).toEqual(expect.arrayContaining(['Alarm', 'Metric', 'Threshold', 'Previous state', 'Region']));
  });
});

describe('parseTemplate', () => {
  it('reads a text value as one alternative and a list as several', () => {
    const { template, problems } = parseTemplate(
      't',
      't.yml',
      'summary: "{{a}}"\nfields:\n  - { label: A, value: "{{a}}" }\n  - label: B\n    value: ["{{b}} {{c}}", "{{b}}"]\n',
    );
    expect(problems).toEqual([]);
    expect(template).toEqual({
      name: 't',
      file: 't.yml',
      summary: ['{{a}}'],
      fields: [
        { label: 'A', value: ['{{a}}'] },
        { label: 'B', value: ['{{b}} {{c}}', '{{b}}'] },
      ],
    });
  });

  it('accepts an empty file as a template without fields', () => {
    expect(parseTemplate('t', 't.yml', '# nothing yet\n').template).toEqual({ name: 't', file: 't.yml', fields: [] });
  });

  it('locates an unknown key at the key itself, as rule files do', () => {
    const { template, problems } = parseTemplate('t', 't.yml', 'fields:\n  - label: A\n    vaule: "{{a}}"\n');
    expect(template).toBeUndefined();
    expect(problems).toEqual(
      expect.arrayContaining(['t.yml:3:5: fields[0]: unknown key "vaule" (did you mean "value"?); allowed keys: label, value [UNKNOWN_KEY]']),
    );
  });

  it('locates an unknown top-level key', () => {
    const { problems } = parseTemplate('t', 't.yml', 'summary: x\ntitle: "{{a}}"\n');
    expect(problems).toEqual([expect.stringMatching(/^t\.yml:2:1: unknown key "title"/)]);
  });

  it('locates a value of the wrong type', () => {
    const { problems } = parseTemplate('t', 't.yml', 'fields:\n  - label: A\n    value: 42\n');
    expect(problems).toEqual([expect.stringMatching(/^t\.yml:3:12: fields\[0\]\.value: expected a text or a list of texts \[BAD_VALUE\]$/)]);
  });

  it('reports a malformed placeholder', () => {
    const { problems } = parseTemplate('t', 't.yml', 'fields:\n  - label: A\n    value: "{{ user name }}"\n');
    expect(problems).toEqual([expect.stringMatching(/^t\.yml:3:12: fields\[0\]\.value\[0\]: malformed placeholder/)]);
  });

  it('rejects a label that would break the bold markup', () => {
    const { problems } = parseTemplate('t', 't.yml', 'fields:\n  - label: "*A*"\n    value: x\n');
    expect(problems).toEqual([expect.stringMatching(/^t\.yml:2:12: fields\[0\]\.label: /)]);
  });

  it('reports a missing key at its mapping', () => {
    const { problems } = parseTemplate('t', 't.yml', 'fields:\n  - label: A\n');
    expect(problems).toEqual(['t.yml:2:5: fields[0]: missing required key "value" [MISSING_KEY]']);
  });

  it('reports YAML syntax errors with their position', () => {
    const { template, problems } = parseTemplate('t', 't.yml', 'fields:\n  - label: A\n    value: "unclosed\n');
    expect(template).toBeUndefined();
    expect(problems[0]).toMatch(/^t\.yml:\d+:\d+: /);
  });

  it('reports a document that is not a mapping', () => {
    expect(parseTemplate('t', 't.yml', '- a\n- b\n').problems).toEqual([expect.stringMatching(/^t\.yml:1:1: .*\[NOT_A_MAPPING\]$/)]);
  });

  it('refuses an alias bomb instead of expanding it, pointing at its first alias', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const { template, problems } = parseTemplate('t', 't.yml', levels.join('\n') + '\n');
    expect(template).toBeUndefined();
    expect(problems).toEqual([expect.stringMatching(/^t\.yml:2:8: .*alias.*\[YAML_SYNTAX\]$/i)]);
  });

  // An anchored value may be used MAX_ALIAS_COUNT times in all: where it is written and in MAX_ALIAS_COUNT - 1 aliases.
  it('resolves as many aliases of an anchor as a rule file may hold, and refuses one more', () => {
    const withAliases = (count: number): string => {
      const fields = Array.from({ length: Math.ceil(count / 5) }, (_, i) => {
        const aliases = Array(Math.min(5, count - i * 5)).fill('*v').join(', ');
        return `  - { label: F${i}, value: [${aliases}] }\n`;
      });
      return `summary: &v "{{a}}"\nfields:\n${fields.join('')}`;
    };
    expect(parseTemplate('t', 't.yml', withAliases(MAX_ALIAS_COUNT - 1)).problems).toEqual([]);
    const { template, problems } = parseTemplate('t', 't.yml', withAliases(MAX_ALIAS_COUNT));
    expect(template).toBeUndefined();
    expect(problems).toEqual([expect.stringMatching(/^t\.yml:3:26: cannot resolve the document: .*alias.*\[YAML_SYNTAX\]$/i)]);
  });

  it('refuses a text over the size limit before parsing it', () => {
    const { template, problems } = parseTemplate('t', 't.yml', `summary: "${'x'.repeat(MAX_YAML_FILE_BYTES)}"\n`);
    expect(template).toBeUndefined();
    expect(problems).toEqual([expect.stringMatching(/^t\.yml:1:1: file is \d+ bytes; .*\[READ_FAILED\]$/)]);
  });

  it('reports YAML warnings such as unknown tags, as rule files do', () => {
    const { template, problems } = parseTemplate('t', 't.yml', 'summary: !shout "{{a}}"\n');
    expect(template).toBeUndefined();
    expect(problems).toEqual([expect.stringMatching(/^t\.yml:1:10: .*!shout.*\[YAML_SYNTAX\]$/)]);
  });

  it('ignores a byte-order mark, so that columns are as editors show them', () => {
    expect(parseTemplate('t', 't.yml', '\uFEFFtitle: x\n').problems).toEqual([expect.stringMatching(/^t\.yml:1:1: unknown key "title"/)]);
  });

  it('reports every problem in a file, not just the first', () => {
    const { problems } = parseTemplate('t', 't.yml', 'fields:\n  - label: A\n    value: 1\n  - label: B\n    valeu: x\n');
    expect(problems).toHaveLength(3);
  });
});

describe('loadTemplates', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'klaxon-templates-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the good templates and reports the bad ones', () => {
    writeFileSync(join(dir, 'good.yml'), 'fields:\n  - { label: User, value: "{{user.name}}" }\n');
    writeFileSync(join(dir, 'bad.yml'), 'fields:\n  - { lable: User, value: "{{user.name}}" }\n');
    writeFileSync(join(dir, 'broken.yaml'), 'fields: [\n');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const { templates, problems } = loadTemplates(dir);
    expect(templates.names()).toEqual(['good']);
    expect(problems.some((p) => p.startsWith(`${join(dir, 'bad.yml')}:2:`))).toBe(true);
    expect(problems.some((p) => p.startsWith(join(dir, 'broken.yaml')))).toBe(true);
  });

  it('rejects a file name that is not a template name, and a name used twice', () => {
    writeFileSync(join(dir, 'Bad Name.yml'), '');
    writeFileSync(join(dir, 'ssh.yml'), '');
    writeFileSync(join(dir, 'ssh.yaml'), '');
    const { templates, problems } = loadTemplates(dir);
    expect(templates.names()).toEqual(['ssh']);
    expect(problems).toHaveLength(2);
  });

  it('refuses a template file over the size limit and loads the others', () => {
    writeFileSync(join(dir, 'big.yml'), `summary: "${'x'.repeat(MAX_YAML_FILE_BYTES)}"\n`);
    writeFileSync(join(dir, 'good.yml'), 'fields:\n  - { label: User, value: "{{user.name}}" }\n');
    const { templates, problems } = loadTemplates(dir);
    expect(templates.names()).toEqual(['good']);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith(`${join(dir, 'big.yml')}:1:1: file is `)).toBe(true);
    expect(problems[0]).toMatch(/: file is \d+ bytes; .*\[READ_FAILED\]$/);
  });

  it('reports a directory it cannot read', () => {
    const { templates, problems } = loadTemplates(join(dir, 'missing'));
    expect(templates.names()).toEqual([]);
    expect(problems).toEqual([expect.stringContaining('cannot read templates directory')]);
  });
});
