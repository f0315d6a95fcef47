/** The command line's flags, --help texts and usage errors (exit 2), run in this process. */
import { describe, expect, it } from 'vitest';
import { parseArgs, str, list, type CommandSpec } from '../../lib/cli/args.js';
import { CARD_SPEC } from '../../lib/cli/card.js';
import { PUBLISH_SPEC } from '../../lib/cli/publish.js';
import { INSPECT_SPEC } from '../../lib/cli/inspect.js';
import { cli } from './helpers.js';

const SPEC: CommandSpec = {
  name: 'try',
  summary: 'A command for the parser.',
  positionals: [{ name: 'FILE', help: 'a file' }],
  flags: [{ name: 'out', value: 'FILE', help: 'where' }, { name: 'alias', value: 'ALIAS', help: 'an alias', repeat: true }, { name: 'json', help: 'JSON' }],
};

const usage = (argv: string[]) => {
  try {
    parseArgs(SPEC, argv);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('flags', () => {
  it('--name value, --name=value, repeated and comma-separated values, -- before positionals', () => {
    const p = parseArgs(SPEC, ['--out=a.json', 'model.onnx', '--alias', 'stable,candidate', '--alias=beta', '--json']);
    expect(p.positionals).toEqual(['model.onnx']);
    expect(str(p, 'out')).toBe('a.json');
    expect(list(p, 'alias')).toEqual(['stable', 'candidate', 'beta']);
    expect(p.flags.get('json')).toBe(true);
    expect(parseArgs(SPEC, ['--', '--weird.onnx']).positionals).toEqual(['--weird.onnx']);
  });

  it('usage errors name the flag and what it needs', () => {
    expect(usage(['m.onnx', '--nope'])).toBe('Unknown flag "--nope" for "ml-predict try". Expected one of: --out, --alias, --json, --help. See "ml-predict try --help".');
    expect(usage(['m.onnx', '--out'])).toBe('Flag --out of "ml-predict try" needs a value (FILE).');
    expect(usage(['m.onnx', '--out='])).toBe('Flag --out of "ml-predict try" needs a value (FILE); it is empty.');
    expect(usage(['m.onnx', '--json=yes'])).toBe('Flag --json of "ml-predict try" takes no value; found "yes".');
    expect(usage(['m.onnx', '--out', 'a', '--out', 'b'])).toBe('Flag --out of "ml-predict try" is given twice; give it once.');
    expect(usage([])).toBe('"ml-predict try" needs FILE. Usage: ml-predict try FILE [flags]; see "ml-predict try --help".');
    expect(usage(['a', 'b'])).toBe('"ml-predict try" takes 1 argument (FILE); found also "b". See "ml-predict try --help".');
    expect(usage(['m.onnx', '-o'])).toContain('Unknown flag "-o"');
  });
});

describe('--help', () => {
  it.each([INSPECT_SPEC, CARD_SPEC, PUBLISH_SPEC])('ml-predict $name --help lists every flag and the exit codes (exit 0)', async (spec) => {
    const r = await cli([spec.name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: ml-predict ${spec.name} MODEL \\[flags\\]\\n`));
    for (const f of spec.flags) expect(r.stdout).toContain(`  --${f.name}${f.value ? ` ${f.value}` : ''} `);
    expect(r.stdout).toContain('Exit codes:\n  0  done\n  1  ');
    expect(r.stdout).toContain('  8  refused: a published version would change');
  });

  it('an unknown command is exit 2 naming the commands; no command prints the tool help (exit 2)', async () => {
    expect(await cli(['pubish'])).toEqual({ code: 2, stdout: '', stderr: 'ml-predict: INVALID_ARGUMENT: Unknown command "pubish". Expected one of: inspect, card, publish. See "ml-predict --help".\n' });
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Usage: ml-predict <command> [arguments] [flags]');
  });
});
