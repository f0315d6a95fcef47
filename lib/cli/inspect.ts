/**
 * `ml-predict inspect model.onnx [--json]`: what an ONNX file declares (inputs, outputs, opsets,
 * operators, ZipMap, external data, size, sha256 in SRI form), which of its operators
 * onnxruntime-web's WebGPU build has no kernel for (ops.ts), and what `loadModel` would do with
 * it: the graph prepared as the runtime worker prepares it and a wasm session created on the
 * browser's onnxruntime-web build (runtime.ts). Exit 0 when it would load, 4 when it would not
 * (the report is printed either way).
 */
import { basename } from 'node:path';
import { orderAuto } from '../backend/select.js';
import { isMlPredictError } from '../errors.js';
import { inspectOnnx } from '../model/onnx-check.js';
import { bool, parseArgs, type CommandSpec } from './args.js';
import { EXIT, line } from './errors.js';
import { readBytes } from './files.js';
import { sha256Hex, sriOf } from './naming.js';
import { readOnnx, type ValueInfo } from './onnx-info.js';
import { missingOps, webgpuTable, type MissingOp } from './ops.js';
import type { Io } from './progress.js';
import { openSession, prepareGraph } from './runtime.js';

export const INSPECT_SPEC: CommandSpec = {
  name: 'inspect',
  summary:
    "Shows what an ONNX model declares and what ml-predict's loadModel would do with it: inputs and outputs with types and dims, opset imports, operators by domain, size, sha256 (SRI form, for the integrity option), ZipMap outputs and their labels, external data, inputs where NaN is a missing value, the operators onnxruntime-web's WebGPU build has no kernel for, and whether the model loads on onnxruntime-web's wasm build (the browser's, run here in Node).",
  positionals: [{ name: 'MODEL', help: 'The .onnx file.' }],
  flags: [{ name: 'json', help: 'Print the report as JSON (one object) instead of text.' }],
  details: ['Exits 0 when loadModel would load the model, 4 when it would refuse it (the report says why); bad files exit as listed below.'],
};

export interface InspectReport {
  file: string;
  bytes: number;
  sha256: string;
  integrity: string;
  irVersion: number;
  producer: string;
  opsets: { domain: string; version: number }[];
  inputs: { name: string; type: string; dims?: (number | string | null)[]; missing?: boolean }[];
  outputs: { name: string; type: string; dims?: (number | string | null)[] }[];
  operators: { domain: string; op: string; nodes: number }[];
  zipMap: { output: string; labels: string[]; label?: string }[];
  externalData: { tensor: string; location: string }[];
  webgpu: { table: string; onnxruntimeWeb: string; missing: MissingOp[] } | { unavailable: string };
  load: { ok: true; backend: 'wasm'; onnxruntimeWeb: string; ms: number; auto: string; notes: string[] } | { ok: false; code: string; message: string; notes: string[] };
}

const typeText = (v: ValueInfo) => v.type.text;

export async function inspectModel(file: string): Promise<InspectReport> {
  const bytes = readBytes(file);
  const name = basename(file);
  // Bytes that are not an ONNX model are the error itself (MODEL_INVALID, as loadModel words it), not a report.
  inspectOnnx(bytes, name);
  const info = readOnnx(bytes, name);
  const ops = new Map<string, { domain: string; op: string; nodes: number }>();
  for (const n of info.nodes) {
    const domain = n.domain === '' || n.domain === 'ai.onnx' ? 'ai.onnx' : n.domain;
    const k = `${domain}/${n.op}`;
    const o = ops.get(k) ?? { domain, op: n.op, nodes: 0 };
    o.nodes++;
    ops.set(k, o);
  }
  const table = webgpuTable();
  const webgpu: InspectReport['webgpu'] =
    typeof table === 'string' ? { unavailable: table } : { table: table.file, onnxruntimeWeb: table.version, missing: missingOps(info, table) };
  const report: Omit<InspectReport, 'load'> = {
    file,
    bytes: bytes.length,
    sha256: sha256Hex(bytes),
    integrity: sriOf(bytes),
    irVersion: info.irVersion,
    producer: info.producer,
    opsets: info.opsets.map((o) => ({ domain: o.domain === '' ? 'ai.onnx' : o.domain, version: o.version })),
    inputs: info.inputs.map((v) => ({ name: v.name, type: v.type.elem ?? typeText(v), ...(v.type.dims && { dims: v.type.dims }) })),
    outputs: info.outputs.map((v) => ({ name: v.name, type: v.type.elem ?? typeText(v), ...(v.type.dims && { dims: v.type.dims }) })),
    operators: [...ops.values()].sort((a, b) => (a.domain + a.op < b.domain + b.op ? -1 : 1)),
    zipMap: info.zipMaps.map((z) => ({ output: z.output, labels: z.labels })),
    externalData: info.externalData,
    webgpu,
  };
  const notes: string[] = [];
  if (info.externalData.length > 0) {
    const files = [...new Set(info.externalData.map((x) => x.location))];
    notes.push(`${info.externalData.length} tensor(s) keep their data in other files (${files.map((f) => JSON.stringify(f)).join(', ')}); loadModel fetches one file: save the model with its data inside (onnx.save_model(model, path, save_as_external_data=False)).`);
  }
  let load: InspectReport['load'];
  try {
    const graph = prepareGraph(bytes, name);
    for (const z of graph.zipMaps) {
      const r = report.zipMap.find((x) => x.output === z.output);
      if (r) {
        r.labels = z.labels;
        if (z.label) r.label = z.label;
      }
      notes.push(`ZipMap output ${JSON.stringify(z.output)} is read as the tensor of probabilities that fed it (float32 [N, ${z.labels.length}]); labels ${z.labels.map((l) => JSON.stringify(l)).join(', ')}${z.label ? `; ${JSON.stringify(z.label)} holds the predicted label` : ''}.`);
    }
    const session = await openSession(graph, name);
    await session.release();
    const nan = session.inputs.filter((i) => i.missing).map((i) => i.name);
    for (const i of report.inputs) if (nan.includes(i.name)) i.missing = true;
    notes.push(
      nan.length > 0
        ? `NaN is accepted as a missing value in input${nan.length > 1 ? 's' : ''} ${nan.map((n) => JSON.stringify(n)).join(', ')} (the graph imputes it); refused in the others.`
        : 'NaN is refused in every input (no Imputer or IsNaN node reads them).',
    );
    const auto = orderAuto({ webgpu: true, usesMlOps: graph.summary.domains.includes('ai.onnx.ml'), bytes: bytes.length });
    const autoText = auto.order[0] === 'webgpu' ? 'webgpu, then wasm if WebGPU fails' : `wasm (${auto.skipped.webgpu ?? 'WebGPU is not used'})`;
    load = { ok: true, backend: 'wasm', onnxruntimeWeb: session.version, ms: Math.round(session.loadMs), auto: autoText, notes };
  } catch (e) {
    if (!isMlPredictError(e)) throw e;
    load = { ok: false, code: e.code, message: e.message, notes };
  }
  return { ...report, load };
}

const dims = (d: (number | string | null)[] | undefined) => (d ? ` [${d.map((x) => x ?? '?').join(', ')}]` : '');

/** The report as text, one section per concern. */
export function formatReport(r: InspectReport): string {
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`  ${k.padEnd(14)}${v}`);
  lines.push(r.file);
  row('size', `${r.bytes.toLocaleString('en-US')} bytes`);
  row('sha256', `${r.integrity} (hex ${r.sha256})`);
  row('ONNX', `IR version ${r.irVersion}${r.producer ? `, made by ${r.producer}` : ''}`);
  row('opsets', r.opsets.map((o) => `${o.domain} ${o.version}`).join(', ') || 'none');
  const io = (title: string, values: InspectReport['inputs']) => {
    lines.push(title);
    const w = Math.max(12, ...values.map((v) => v.name.length + 2));
    for (const v of values) lines.push(`  ${v.name.padEnd(w)}${v.type}${dims(v.dims)}${v.missing ? '  (NaN = missing)' : ''}`);
    if (values.length === 0) lines.push('  (none)');
  };
  io('inputs', r.inputs);
  io('outputs', r.outputs);
  const total = r.operators.reduce((a, o) => a + o.nodes, 0);
  lines.push(`operators (${total} node${total === 1 ? '' : 's'})`);
  for (const domain of [...new Set(r.operators.map((o) => o.domain))]) {
    row(domain, r.operators.filter((o) => o.domain === domain).map((o) => `${o.op}${o.nodes > 1 ? ` ×${o.nodes}` : ''}`).join(', '));
  }
  const top = (k: string, v: string) => lines.push(`${k.padEnd(16)}${v}`);
  top('ZipMap', r.zipMap.length ? r.zipMap.map((z) => `${z.output} (labels ${z.labels.map((l) => JSON.stringify(l)).join(', ')})`).join('; ') : 'none');
  top('external data', r.externalData.length ? r.externalData.map((x) => `${x.tensor} in ${x.location}`).join(', ') : 'none');
  lines.push('onnxruntime-web');
  if ('unavailable' in r.webgpu) row('webgpu', `not checked: ${r.webgpu.unavailable}`);
  else {
    const m = r.webgpu.missing.filter((x) => !x.note);
    const away = r.webgpu.missing.filter((x) => x.note);
    const opName = (x: MissingOp) => `${x.domain === 'ai.onnx' ? '' : `${x.domain}.`}${x.op}`;
    row('webgpu', m.length === 0 ? 'a kernel for every operator' : `no kernel for ${m.map(opName).join(', ')}: these run on the CPU in the WebGPU build`);
    for (const x of away) row('', `no kernel for ${opName(x)} (${x.note})`);
    row('', `(the operator table of onnxruntime-web ${r.webgpu.onnxruntimeWeb}: ${r.webgpu.table})`);
  }
  if (r.load.ok) {
    row('wasm', `loads (session in ${r.load.ms} ms, onnxruntime-web ${r.load.onnxruntimeWeb}, the browser's wasm build)`);
    row('auto', r.load.auto);
  } else row('wasm', 'does not load (below)');
  lines.push('loadModel');
  if (!r.load.ok) lines.push(`  refuses it: ${r.load.code}: ${r.load.message}`);
  else if (r.load.notes.every((n) => n.startsWith('NaN'))) lines.push('  loads it as it is');
  for (const n of r.load.notes) lines.push(`  ${n}`);
  return `${lines.join('\n')}\n`;
}

export async function inspectCommand(argv: readonly string[], io: Io, help: (spec: CommandSpec) => string): Promise<number> {
  const p = parseArgs(INSPECT_SPEC, argv);
  if (p.help) {
    io.out(help(INSPECT_SPEC));
    return EXIT.ok;
  }
  const report = await inspectModel(p.positionals[0]!);
  io.out(bool(p, 'json') ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  if (report.load.ok) return EXIT.ok;
  io.err(`${line(report.load.code, report.load.message)}\n`);
  return EXIT.model;
}
