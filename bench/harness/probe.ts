/**
 * How fast the machine is right now: a fixed piece of work timed in this Node process before and
 * after each case. On a shared virtual machine the same code can run faster or slower from one
 * stretch of minutes to the next without any steal in /proc/stat; the report gives this reference
 * time per case, so that two runs can be told apart by what the machine did as well as by what
 * the code did.
 *
 * The work is WebAssembly, like onnxruntime-web's: a chain of 16 million dependent f64
 * multiply-adds (~30 ms), so its time follows the core's speed and nothing else (the time of a
 * JavaScript loop also follows when V8 re-optimises it).
 */

/** `(func (param $n i32) (result f64))`: s = s × 1.0000001 + 1, n times; returns s. */
function chainModule(): Uint8Array<ArrayBuffer> {
  const f64 = (x: number) => [...new Uint8Array(new Float64Array([x]).buffer)];
  const body = [
    0x02, 0x01, 0x7f, 0x01, 0x7c, // locals: $i i32, $s f64
    0x03, 0x40, // loop
    0x20, 0x02, 0x44, ...f64(1.0000001), 0xa2, 0x44, ...f64(1), 0xa0, 0x21, 0x02, // s = s * c + 1
    0x20, 0x01, 0x41, 0x01, 0x6a, 0x22, 0x01, 0x20, 0x00, 0x49, 0x0d, 0x00, // i++; br_if i < n
    0x0b, 0x20, 0x02, 0x0b, // end loop; return s
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7c, // type: (i32) -> f64
    0x03, 0x02, 0x01, 0x00, // one function of that type
    0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00, // export "run"
    0x0a, body.length + 2, 0x01, body.length, ...body,
  ]);
}

let run: ((n: number) => number) | undefined;

function once(): number {
  run ??= (new WebAssembly.Instance(new WebAssembly.Module(chainModule())).exports as { run: (n: number) => number }).run;
  const started = performance.now();
  const s = run(16_000_000);
  const ms = performance.now() - started;
  if (!Number.isFinite(s)) throw new Error(`the reference work returned ${s}`);
  return ms;
}

/**
 * What the first touch of fresh memory costs, in µs per 4 KiB page: a new 16 MB WebAssembly
 * memory written once per page (median of 5). A wasm memory is always new pages from the OS
 * (a plain ArrayBuffer of that size can be memory the allocator had already touched). On a
 * virtual machine it can cost several times a page fault on bare hardware, so code that
 * allocates large new buffers per call runs at the host's pace rather than the core's.
 */
export function pageFaultUs(): number {
  const pages = 256; // of 64 KiB: 16 MB
  const times = Array.from({ length: 5 }, () => {
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const started = performance.now();
    const bytes = new Uint8Array(memory.buffer);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = 1;
    return ((performance.now() - started) * 1000) / (bytes.length / 4096);
  }).sort((a, b) => a - b);
  return Math.round(times[2]! * 100) / 100;
}

/** The median of 7 timed runs of the reference work after 3 warm-up runs, in ms. */
export function referenceMs(): number {
  for (let k = 0; k < 3; k++) once();
  const times = Array.from({ length: 7 }, once).sort((a, b) => a - b);
  return Math.round(times[3]! * 100) / 100;
}
