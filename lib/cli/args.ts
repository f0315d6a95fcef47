/**
 * Flags and positional arguments of one command, and its --help text, from one spec. Flags are
 * `--name value`, `--name=value` or (without a value) `--name`; `--` ends the flags. An unknown
 * flag, a missing value or a wrong count of positionals is a usage error (exit 2) naming it and
 * listing what the command takes.
 */
import { usageError } from './errors.js';

export interface FlagSpec {
  name: string;
  /** Placeholder of the value (e.g. "FILE"); absent for a flag that takes none. */
  value?: string;
  help: string;
  /** The flag may be given more than once (values collected in order). */
  repeat?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments, all required. */
  positionals: { name: string; help: string }[];
  flags: FlagSpec[];
  /** Paragraphs after the flags (what it writes, examples). */
  details?: string[];
}

export interface Parsed {
  positionals: string[];
  /** By flag name (without "--"): a string, true, or the values of a repeated flag. */
  flags: Map<string, string | true | string[]>;
  help: boolean;
}

const HELP: FlagSpec = { name: 'help', help: 'Show this help and exit.' };

export function parseArgs(spec: CommandSpec, argv: readonly string[]): Parsed {
  const flags = new Map<string, string | true | string[]>();
  const positionals: string[] = [];
  const known = [...spec.flags, HELP];
  const command = `ml-predict ${spec.name}`;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq > 0 ? arg.slice(0, eq) : arg).replace(/^--?/, '');
    const flag = known.find((f) => f.name === name);
    if (!flag || !arg.startsWith('--')) {
      throw usageError(`Unknown flag ${JSON.stringify(arg.slice(0, eq > 0 ? eq : undefined))} for "${command}". Expected one of: ${known.map((f) => `--${f.name}`).join(', ')}. See "${command} --help".`);
    }
    let value: string | true = true;
    if (flag.value) {
      if (eq > 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) value = argv[++i]!;
      else throw usageError(`Flag --${name} of "${command}" needs a value (${flag.value}).`);
      if (value === '') throw usageError(`Flag --${name} of "${command}" needs a value (${flag.value}); it is empty.`);
    } else if (eq > 0) {
      throw usageError(`Flag --${name} of "${command}" takes no value; found ${JSON.stringify(arg.slice(eq + 1))}.`);
    }
    const before = flags.get(name);
    if (before !== undefined && !flag.repeat) throw usageError(`Flag --${name} of "${command}" is given twice; give it once.`);
    if (flag.repeat) flags.set(name, [...((before as string[] | undefined) ?? []), value as string]);
    else flags.set(name, value);
  }
  if (!help && positionals.length !== spec.positionals.length) {
    const wanted = spec.positionals.map((p) => p.name).join(' ');
    throw usageError(
      positionals.length < spec.positionals.length
        ? `"${command}" needs ${spec.positionals.map((p) => p.name).slice(positionals.length).join(' and ')}. Usage: ${command} ${wanted} [flags]; see "${command} --help".`
        : `"${command}" takes ${spec.positionals.length} argument${spec.positionals.length === 1 ? '' : 's'} (${wanted}); found also ${positionals.slice(spec.positionals.length).map((p) => JSON.stringify(p)).join(', ')}. See "${command} --help".`,
    );
  }
  return { positionals, flags, help };
}

/** A flag's string value, or undefined. */
export function str(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function bool(p: Parsed, name: string): boolean {
  return p.flags.get(name) === true;
}

/** A repeated flag's values, each split at commas. */
export function list(p: Parsed, name: string): string[] | undefined {
  const v = p.flags.get(name);
  if (v === undefined || v === true) return undefined;
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/** A number flag within [min, max]; a usage error names the flag otherwise. */
export function num(p: Parsed, name: string, min: number, max: number, integer = false): number | undefined {
  const s = str(p, name);
  if (s === undefined) return undefined;
  const v = Number(s);
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw usageError(`Flag --${name} is ${JSON.stringify(s)}; expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}.`);
  }
  return v;
}

function wrap(text: string, indent: number, width = 100): string {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width - indent) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** The command's --help text. */
export function helpText(spec: CommandSpec, exitCodes: string): string {
  const usage = `ml-predict ${spec.name} ${spec.positionals.map((p) => p.name).join(' ')} [flags]`.replace(/\s+/g, ' ');
  const rows = [...spec.flags, HELP].map((f) => [`--${f.name}${f.value ? ` ${f.value}` : ''}`, f.help + (f.repeat ? ' May be repeated.' : '')] as const);
  const pad = Math.max(...rows.map(([l]) => l.length), ...spec.positionals.map((p) => p.name.length)) + 4;
  const out = [`Usage: ${usage}`, '', wrap(spec.summary, 0), ''];
  if (spec.positionals.length) {
    out.push('Arguments:');
    for (const p of spec.positionals) out.push(`  ${p.name.padEnd(pad)}${wrap(p.help, pad + 2)}`);
    out.push('');
  }
  out.push('Flags:');
  for (const [l, h] of rows) out.push(`  ${l.padEnd(pad)}${wrap(h, pad + 2)}`);
  for (const d of spec.details ?? []) out.push('', wrap(d, 0));
  out.push('', exitCodes);
  return `${out.join('\n')}\n`;
}
