/**
 * The `ml-predict` command line: dispatches to a command, prints its --help, and turns every
 * failure into one line on stderr (`ml-predict: CODE: message`) and an exit code. Nothing runs
 * on import; bin/main.ts calls `runCli`.
 */
import { helpText, type CommandSpec } from './args.js';
import { EXIT, exitCodeOf, oneLine, usageError } from './errors.js';
import type { Io } from './progress.js';

export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  done',
  '  1  unexpected failure (a bug: please report it with the message)',
  '  2  usage: unknown command or flag, missing or bad flag value',
  '  3  a file cannot be read or written (missing, a folder, no permission)',
  '  4  the model is not ONNX, or loadModel would refuse it (inspect prints why)',
  '  5  the CSV is empty or malformed, or does not fit the model (columns, values)',
  '  6  the card is invalid or describes other bytes',
  '  7  the registry is not JSON or not a valid registry',
  '  8  refused: a published version would change, a file belongs to another version, or another publish holds the registry',
].join('\n');

const COMMANDS = {
  inspect: { summary: 'what an ONNX model declares and what loadModel would do with it', load: () => import('./inspect.js').then((m) => m.inspectCommand) },
  card: { summary: 'write a model card from the model and its training CSV', load: () => import('./card.js').then((m) => m.cardCommand) },
  publish: { summary: 'publish a model version and its card into a registry.json, move aliases', load: () => import('./publish.js').then((m) => m.publishCommand) },
} as const;

export function toolHelp(): string {
  return [
    'Usage: ml-predict <command> [arguments] [flags]',
    '',
    'ONNX models for the browser: inspect them, write their cards and publish them into a static',
    "registry, on the same onnxruntime-web build (wasm) that ml-predict's loadModel runs in the browser.",
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)}${c.summary}`),
    '',
    'Run "ml-predict <command> --help" for its arguments and flags.',
    '',
    'From a model and its training data to a page that predicts offline:',
    '  ml-predict card model.onnx --data train.csv --label target --name my-model',
    '  ml-predict publish model.onnx --registry public/models/registry.json',
    '  <ml-predict registry="/models/registry.json" model="my-model"></ml-predict>',
    '',
    EXIT_CODES_HELP,
    '',
  ].join('\n');
}

const help = (spec: CommandSpec) => helpText(spec, EXIT_CODES_HELP);

/** Runs one command line (without the program name); resolves to the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(toolHelp());
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    if (!Object.hasOwn(COMMANDS, command)) {
      throw usageError(`Unknown command ${JSON.stringify(command)}. Expected one of: ${Object.keys(COMMANDS).join(', ')}. See "ml-predict --help".`);
    }
    const run = await COMMANDS[command as keyof typeof COMMANDS].load();
    return await run(rest, io, help);
  } catch (e) {
    io.err(`${oneLine(e)}\n`);
    const code = exitCodeOf(e);
    if (code === EXIT.internal && e instanceof Error && e.stack && io.env.ML_PREDICT_DEBUG) io.err(`${e.stack}\n`);
    return code;
  }
}
