// A binary frame (server/codec.py; docs/protocol.md, "Binary frames") as the object the pages draw: its JSON part,
// with every reference {"$": k} replaced by block k, a typed array viewing the message in place (Float64Array,
// Float32Array, Uint8Array, Int32Array); a block of rank 2 or more is an Array of such views, one per row. A
// reference {"$": k, "at": i, "shape": [...]} is the shape's count of elements from element i of block k's data,
// nested by that shape the same way (a network's weights, biases, masks and values all lie in one block).

const MAGIC = [0x4e, 0x4e, 0x50, 0x46]; // "NNPF"
const FORMAT = 1;
const HEADER = 12; // magic, format, 3 zero bytes, the JSON part's length (u32, little-endian)
const ALIGN = 8;
const TYPED = { 1: Uint8Array, 2: Int32Array, 3: Float32Array, 4: Float64Array };
const decoder = new TextDecoder();

const aligned = (n) => n + ((ALIGN - (n % ALIGN)) % ALIGN);

export function isFrame(data) {
  if (!(data instanceof ArrayBuffer) || data.byteLength < HEADER) return false;
  const b = new Uint8Array(data, 0, 4);
  return MAGIC.every((m, i) => b[i] === m);
}

function nest(flat, shape) {
  if (shape.length <= 1) return flat;
  const [n, ...rest] = shape;
  const step = n ? flat.length / n : 0;
  return Array.from({ length: n }, (_, i) => nest(flat.subarray(i * step, (i + 1) * step), rest));
}

function blocks(buf, at) {
  const view = new DataView(buf);
  const out = [];
  while (at < buf.byteLength) {
    const code = view.getUint8(at), ndim = view.getUint8(at + 1);
    const shape = [];
    for (let i = 0; i < ndim; i++) shape.push(view.getUint32(at + 4 + 4 * i, true));
    at = aligned(at + 4 + 4 * ndim);
    const Typed = TYPED[code];
    if (!Typed) throw new Error(`frame block of unknown dtype ${code}`);
    const count = shape.reduce((a, b) => a * b, 1);
    const flat = new Typed(buf, at, count);
    out.push({ flat, whole: nest(flat, shape) });
    at = aligned(at + count * Typed.BYTES_PER_ELEMENT);
  }
  return out;
}

function resolve(v, found) {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = resolve(v[i], found);
    return v;
  }
  if (v !== null && typeof v === "object") {
    if ("$" in v) {
      const b = found[v.$];
      if (!("at" in v)) return b.whole;
      const count = v.shape.reduce((a, n) => a * n, 1);
      return nest(b.flat.subarray(v.at, v.at + count), v.shape);
    }
    const keys = Object.keys(v);
    for (const k of keys) v[k] = resolve(v[k], found);
  }
  return v;
}

export function readFrame(buf) {
  if (!isFrame(buf)) throw new Error("not a frame");
  const head = new DataView(buf, 0, HEADER);
  if (head.getUint8(4) !== FORMAT) throw new Error(`frame format ${head.getUint8(4)}, this page reads ${FORMAT}`);
  const n = head.getUint32(8, true);
  const part = JSON.parse(decoder.decode(new Uint8Array(buf, HEADER, n)));
  return resolve(part, blocks(buf, aligned(HEADER + n)));
}
