// verify.mjs: an independent verifier of randcheck draws, in plain JavaScript.
//
// Written from docs/verification.md and docs/registry.md (the authority), not from
// randcheck's Python source. No framework, no build step, no dependency: SHA-256 comes
// from Web Crypto (globalThis.crypto.subtle, in browsers and Node >= 20), big integers
// from BigInt. The ranking's many short hashes (one per entity and per inspector and
// task) use a small synchronous SHA-256 below, checked against Web Crypto before its
// first use: thousands of asynchronous Web Crypto calls cost more than the hashing
// itself. Run directly with Node it is a command-line verifier:
//
//   node verify.mjs RECEIPT REGISTRY.csv [--history FILE] [--announcement FILE] [--policy FILE]
//
// exit 0: verified; 1: a check failed (the first is named); 2: an input cannot be read.

// ---------------------------------------------------------------------------------------
// Errors and small helpers

/** An input that cannot be read at all (not JSON, an invalid registry row …): exit 2. */
export class InputError extends Error {}

/** A number written with a fraction or an exponent (`2.0`, `1e3`): JSON Schema's
 * "integer" refuses it, and canonical JSON writes it as Python writes a float. */
export class PyFloat {
  constructor(value) {
    this.value = value;
  }
}

// Python's str.split()/str.strip() white space.
const PY_WS = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const STRIP_RE = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, "g");
const WS_RE = new RegExp(`[${PY_WS}]`, "g");
const WS_CODES = new Set(
  [9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]
    .concat(Array.from({ length: 11 }, (_, k) => 0x2000 + k)),
);
/** Python's str.strip(); most cells have no white space at either end (the fast path). */
const strip = (s) =>
  s === "" || (!WS_CODES.has(s.charCodeAt(0)) && !WS_CODES.has(s.charCodeAt(s.length - 1)))
    ? s
    : s.replace(STRIP_RE, "");

/** Compare two strings code point by code point (Python's str order). */
export function cmpCP(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 puts surrogates (astral code points) below U+E000..U+FFFF: lift them.
    x = x >= 0xd800 && x <= 0xdfff ? x + 0x2000 : x >= 0xe000 ? x - 0x800 : x;
    y = y >= 0xd800 && y <= 0xdfff ? y + 0x2000 : y >= 0xe000 ? y - 0x800 : y;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
const sortCP = (list) => [...list].sort(cmpCP);

function pad(n, width) {
  return String(n).padStart(width, "0");
}

// ---------------------------------------------------------------------------------------
// JSON: a strict reader (no duplicate key, no NaN) that keeps how numbers were written,
// and the canonical and compact writers of the protocol.

const NUMBER_RE = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/** Parse JSON text; numbers written with a fraction or exponent become PyFloat. */
export function parseJson(text) {
  let i = 0;
  const fail = (why) => {
    throw new InputError(`not valid JSON at character ${i}: ${why}`);
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i); // NaN past the end
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return;
      i++;
    }
  };
  const value = (depth) => {
    if (depth > 512) fail("nested too deeply");
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const out = {};
      const seen = new Set();
      ws();
      if (text[i] === "}") {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("a key must be a string");
        const key = string();
        if (seen.has(key)) fail(`key ${JSON.stringify(key)} given twice`);
        seen.add(key);
        ws();
        if (text[i] !== ":") fail("':' expected");
        i++;
        const v = value(depth + 1);
        if (key === "__proto__") {
          Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
        } else {
          out[key] = v;
        }
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return out;
        }
        fail("',' or '}' expected");
      }
    }
    if (c === "[") {
      i++;
      const out = [];
      ws();
      if (text[i] === "]") {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return out;
        }
        fail("',' or ']' expected");
      }
    }
    if (c === '"') return string();
    if (text.startsWith("true", i)) {
      i += 4;
      return true;
    }
    if (text.startsWith("false", i)) {
      i += 5;
      return false;
    }
    if (text.startsWith("null", i)) {
      i += 4;
      return null;
    }
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (!m || !m[0]) fail("a value expected");
    i += m[0].length;
    if (m[2] || m[3]) return new PyFloat(Number(m[0]));
    const n = Number(m[0]);
    if (!Number.isSafeInteger(n)) fail(`integer ${m[0]} is too large`);
    return n;
  };
  const string = () => {
    i++;
    let out = "";
    for (;;) {
      const j = i;
      while (i < text.length && text[i] !== '"' && text[i] !== "\\") {
        if (text.charCodeAt(i) < 0x20) fail("a control character in a string");
        i++;
      }
      out += text.slice(j, i);
      if (i >= text.length) fail("unterminated string");
      if (text[i] === '"') {
        i++;
        return out;
      }
      const e = text[i + 1];
      const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e in simple) {
        out += simple[e];
        i += 2;
      } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else fail("bad escape");
    }
  };
  const result = value(0);
  ws();
  if (i !== text.length) fail("extra data after the value");
  return result;
}

/** The value with every PyFloat replaced by its number. */
export function plain(x) {
  if (x instanceof PyFloat) return x.value;
  if (Array.isArray(x)) return x.map(plain);
  if (x && typeof x === "object") {
    const out = {};
    for (const k of Object.keys(x)) out[k] = plain(x[k]);
    return out;
  }
  return x;
}

/** Python's repr of a float (shortest round trip; exponent outside 1e-4 .. 1e16). */
export function pyFloatRepr(x) {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const ax = Math.abs(x);
  if (ax >= 1e-4 && ax < 1e16) {
    // JavaScript writes these in plain decimals with the same shortest round-trip digits
    const plainText = String(x);
    return plainText.includes(".") ? plainText : `${plainText}.0`;
  }
  const sign = x < 0 ? "-" : "";
  const [mant, expText] = Math.abs(x).toExponential().split("e");
  const e = Number(expText);
  const digits = mant.replace(".", "");
  if (e >= -4 && e < 16) {
    if (e >= 0) {
      const int = digits.slice(0, e + 1).padEnd(e + 1, "0");
      const frac = digits.slice(e + 1);
      return `${sign}${int}.${frac || "0"}`;
    }
    return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${e < 0 ? "-" : "+"}${pad(Math.abs(e), 2)}`;
}

function scalarJson(x) {
  if (x instanceof PyFloat) return pyFloatRepr(x.value);
  if (typeof x === "number" && !Number.isInteger(x)) return pyFloatRepr(x);
  return JSON.stringify(x);
}

/** Canonical JSON: keys sorted by code point, no white space, non-ASCII as itself. */
export function canonicalJson(x) {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(",")}]`;
  if (x && typeof x === "object" && !(x instanceof PyFloat)) {
    const keys = sortCP(Object.keys(x));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(x[k])}`).join(",")}}`;
  }
  return scalarJson(x);
}

/** Compact JSON of an array in its own order (registry and history lines). */
function compactJson(x) {
  if (Array.isArray(x)) return `[${x.map(compactJson).join(",")}]`;
  return scalarJson(x);
}

const ENCODER = new TextEncoder();

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error("Web Crypto (crypto.subtle) is not available");
  return s;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** HEX(SHA256(bytes or UTF-8 text)), by Web Crypto. */
export async function sha256Hex(data) {
  const bytes = typeof data === "string" ? ENCODER.encode(data) : data;
  const digest = new Uint8Array(await subtle().digest("SHA-256", bytes));
  let out = "";
  for (let i = 0; i < digest.length; i++) out += HEX[digest[i]];
  return out;
}

// SHA-256 (FIPS 180-4), synchronous, for the ranking's short messages. Checked against
// Web Crypto before its first use (checkSyncSha256), and in the tests.
const K256 = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const W256 = new Int32Array(64); // Int32: the arithmetic stays in small integers
let BLOCKS = new Uint8Array(256);
let syncChecked = null;

/** Check the synchronous SHA-256 against Web Crypto's, once: on every padding boundary
 * (one and two 64-byte blocks and more), on text shaped as the ranking's (a 64-digit hex
 * prefix and an id) and on non-ASCII text. A difference stops the verification. */
export function checkSyncSha256() {
  if (syncChecked === null) {
    syncChecked = (async () => {
      const samples = [0, 1, 3, 54, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 250, 1000].map((n) =>
        "abcdefghijklmnopqrstuvwxyz0123456789".repeat(30).slice(0, n),
      );
      samples.push(`${"0123456789abcdef".repeat(4)}91410724M0PE6MEBKC`, "名录库 检查人员 I410724-0013 ü ∑ 𝒳");
      const expected = await Promise.all(samples.map((text) => sha256Hex(text)));
      samples.forEach((text, k) => {
        if (sha256HexSync(text) !== expected[k]) {
          throw new Error("this verifier's SHA-256 disagrees with Web Crypto's: it cannot be trusted here");
        }
      });
    })();
  }
  return syncChecked;
}

/** HEX(SHA256(UTF-8 text)), computed here, synchronously. */
export function sha256HexSync(text) {
  // UTF-8 bytes into a reused buffer (ASCII byte by byte, other text by TextEncoder)
  let length = text.length;
  if (BLOCKS.length < 3 * length + 72) BLOCKS = new Uint8Array(2 * (3 * length + 72));
  const buf = BLOCKS;
  let ascii = true;
  for (let k = 0; k < length; k++) {
    const c = text.charCodeAt(k);
    if (c > 0x7f) {
      ascii = false;
      break;
    }
    buf[k] = c;
  }
  if (!ascii) length = ENCODER.encodeInto(text, buf).written;
  const blocks = (length + 72) >>> 6; // ceil((length + 9) / 64)
  const end = blocks * 64;
  buf[length] = 0x80;
  buf.fill(0, length + 1, end - 8);
  const hiBits = Math.floor(length / 0x20000000);
  const loBits = (length << 3) >>> 0;
  buf[end - 8] = hiBits >>> 24;
  buf[end - 7] = (hiBits >>> 16) & 255;
  buf[end - 6] = (hiBits >>> 8) & 255;
  buf[end - 5] = hiBits & 255;
  buf[end - 4] = loBits >>> 24;
  buf[end - 3] = (loBits >>> 16) & 255;
  buf[end - 2] = (loBits >>> 8) & 255;
  buf[end - 1] = loBits & 255;
  let h0 = 0x6a09e667, h1 = 0xbb67ae85 | 0, h2 = 0x3c6ef372, h3 = 0xa54ff53a | 0;
  let h4 = 0x510e527f, h5 = 0x9b05688c | 0, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
  const w = W256;
  for (let off = 0; off < end; off += 64) {
    for (let t = 0; t < 16; t++) {
      const o = off + 4 * t;
      w[t] = (buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3];
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15];
      const b = w[t - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K256[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
  }
  let out = "";
  for (const x of [h0, h1, h2, h3, h4, h5, h6, h7]) {
    out += HEX[x >>> 24] + HEX[(x >>> 16) & 255] + HEX[(x >>> 8) & 255] + HEX[x & 255];
  }
  return out;
}

function deepEqual(a, b) {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, n) => deepEqual(v, b[n]))
    );
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function short(value) {
  const text = value === undefined ? "None" : JSON.stringify(value);
  return text.length <= 120 ? text : `${text.slice(0, 117)}...`;
}

function kindOf(x) {
  if (x === null || x === undefined) return "null";
  return Array.isArray(x) ? "array" : typeof x;
}

/** The first difference between two JSON values, with its path (as randcheck names it). */
export function firstDifference(expected, got, path = "") {
  if (kindOf(expected) !== kindOf(got)) {
    return `${path || "value"}: expected ${short(expected)}, found ${short(got)}`;
  }
  if (kindOf(expected) === "object") {
    const keys = sortCP([...new Set([...Object.keys(expected), ...Object.keys(got)])]);
    for (const k of keys) {
      if (!deepEqual(expected[k], got[k])) return firstDifference(expected[k], got[k], path ? `${path}.${k}` : k);
    }
  }
  if (Array.isArray(expected)) {
    if (expected.length !== got.length) return `${path}: expected ${expected.length} entries, found ${got.length}`;
    for (let n = 0; n < expected.length; n++) {
      if (!deepEqual(expected[n], got[n])) return firstDifference(expected[n], got[n], `${path}[${n}]`);
    }
  }
  return `${path || "value"}: expected ${short(expected)}, found ${short(got)}`;
}

// ---------------------------------------------------------------------------------------
// JSON Schema (the subset the receipt and announcement schemas use; `format` is an
// annotation, as in randcheck: the times are checked by the "sealed at" check).

function typeMatches(type, x) {
  switch (type) {
    case "object":
      return x !== null && typeof x === "object" && !Array.isArray(x) && !(x instanceof PyFloat);
    case "array":
      return Array.isArray(x);
    case "string":
      return typeof x === "string";
    case "integer":
      return typeof x === "number" && Number.isInteger(x);
    case "number":
      return typeof x === "number" || x instanceof PyFloat;
    case "boolean":
      return typeof x === "boolean";
    case "null":
      return x === null;
    default:
      return false;
  }
}

function schemaEqual(a, b) {
  return deepEqual(plain(a), plain(b)) && typeof plain(a) === typeof plain(b);
}

/** Every way `x` breaks `schema`, each "path: reason" (empty when it follows it). */
export function schemaProblems(schema, x, root = schema, path = "", out = []) {
  if (schema === true || schema === undefined) return out;
  if (schema === false) {
    out.push(`${path || "(the document)"}: not allowed`);
    return out;
  }
  const at = path || "(the document)";
  if (schema.$ref) {
    const target = schema.$ref.replace(/^#\//, "").split("/").reduce((node, part) => node[part], root);
    schemaProblems(target, x, root, path, out);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, x))) {
      out.push(`${at}: ${short(plain(x))} is not of type ${types.join(", ")}`);
      return out;
    }
  }
  if (schema.const !== undefined && !schemaEqual(schema.const, x)) {
    out.push(`${at}: ${short(schema.const)} was expected`);
  }
  if (schema.enum && !schema.enum.some((v) => schemaEqual(v, x))) {
    out.push(`${at}: ${short(plain(x))} is not one of ${short(schema.enum)}`);
  }
  if (typeof x === "string") {
    const length = [...x].length;
    if (schema.minLength !== undefined && length < schema.minLength) out.push(`${at}: is too short`);
    if (schema.maxLength !== undefined && length > schema.maxLength) out.push(`${at}: is too long`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(x)) {
      out.push(`${at}: ${short(x)} does not match ${short(schema.pattern)}`);
    }
  }
  if (typeMatches("number", x) && schema.minimum !== undefined && plain(x) < schema.minimum) {
    out.push(`${at}: ${plain(x)} is less than the minimum of ${schema.minimum}`);
  }
  if (Array.isArray(x)) {
    if (schema.items !== undefined) {
      x.forEach((v, n) => schemaProblems(schema.items, v, root, `${path}[${n}]`, out));
    }
    if (schema.minItems !== undefined && x.length < schema.minItems) out.push(`${at}: too few items`);
    if (schema.maxItems !== undefined && x.length > schema.maxItems) out.push(`${at}: too many items`);
    if (schema.uniqueItems) {
      const seen = new Set(x.map((v) => canonicalJson(plain(v))));
      if (seen.size !== x.length) out.push(`${at}: has non-unique elements`);
    }
  }
  if (typeMatches("object", x)) {
    for (const k of schema.required || []) {
      if (!Object.hasOwn(x, k)) out.push(`${at}: ${short(k)} is a required property`);
    }
    const props = schema.properties || {};
    for (const k of Object.keys(x)) {
      const sub = path ? `${path}.${k}` : k;
      if (Object.hasOwn(props, k)) schemaProblems(props[k], x[k], root, sub, out);
      else if (schema.additionalProperties === false) out.push(`${at}: unexpected property ${short(k)}`);
      else if (typeof schema.additionalProperties === "object") {
        schemaProblems(schema.additionalProperties, x[k], root, sub, out);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Times (Python datetime.fromisoformat, with an offset required)

/** Microseconds since the epoch of an ISO 8601 time with an offset; throws otherwise. */
export function parseTime(text, field) {
  const m =
    typeof text === "string" &&
    /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,6}))?)?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d{1,6})?)?)?)?$/.exec(
      text,
    );
  if (!m) throw new InputError(`${field}: ${short(text)} is not an ISO 8601 time`);
  const [, y, mo, d, h, mi = "0", s = "0", frac = "", zone] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(local);
  if (
    check.getUTCDate() !== Number(d) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    throw new InputError(`${field}: ${short(text)} is not an ISO 8601 time`);
  }
  if (!zone) throw new InputError(`${field}: ${short(text)} has no time zone offset`);
  let offset = 0;
  if (zone !== "Z") {
    const z = /^([+-])(\d{2}):?(\d{2})?:?(\d{2})?/.exec(zone);
    offset = (Number(z[2]) * 3600 + Number(z[3] || 0) * 60 + Number(z[4] || 0)) * (z[1] === "-" ? -1 : 1);
  }
  return local * 1000 + Number(frac.padEnd(6, "0")) - offset * 1_000_000;
}

// ---------------------------------------------------------------------------------------
// CSV files (as Python's csv module reads them), encodings

/** Text of a file's bytes: UTF-8 (BOM or not) when all of it is, else GB18030. */
export function decodeText(data) {
  if (typeof data === "string") return data.replace(/^\ufeff/, "");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(data).replace(/^\ufeff/, "");
  } catch {
    try {
      return new TextDecoder("gb18030", { fatal: true }).decode(data);
    } catch {
      throw new InputError("the file is neither UTF-8 nor GB18030 text");
    }
  }
}

/** Rows of CSV text (RFC 4180, "" inside quotes). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let i = 0;
  const n = text.length;
  // each cell is sliced whole from the text, not built character by character
  while (i < n) {
    let cell;
    if (text.charCodeAt(i) === 34 /* " */) {
      let j = i + 1;
      let parts = "";
      for (;;) {
        const close = text.indexOf('"', j);
        if (close < 0) throw new InputError("a quoted CSV cell is not closed");
        if (text.charCodeAt(close + 1) === 34) {
          parts += text.slice(j, close + 1);
          j = close + 2;
          continue;
        }
        cell = parts + text.slice(j, close);
        i = close + 1;
        break;
      }
      // text after the closing quote, up to the separator, belongs to the cell
      let k = i;
      while (k < n) {
        const c = text.charCodeAt(k);
        if (c === 44 || c === 13 || c === 10) break;
        k++;
      }
      cell += text.slice(i, k);
      i = k;
    } else {
      let k = i;
      while (k < n) {
        const c = text.charCodeAt(k);
        if (c === 44 || c === 13 || c === 10) break;
        k++;
      }
      cell = text.slice(i, k);
      i = k;
    }
    row.push(cell);
    if (i >= n) {
      rows.push(row);
      row = [];
      break;
    }
    const c = text.charCodeAt(i);
    if (c === 44) {
      i++;
      if (i >= n) {
        row.push("");
        rows.push(row);
        row = [];
      }
    } else {
      rows.push(row);
      row = [];
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    }
  }
  return rows.filter((r) => r.some((v) => strip(v) !== ""));
}

/** The text randcheck wrote before guarding it against spreadsheet formulas. */
function unescapeCell(text) {
  return text.length > 1 && text[0] === "'" && "=+-@\t\r'".includes(text[1]) ? text.slice(1) : text;
}

// ---------------------------------------------------------------------------------------
// Registry: reading the CSV files and the digest (docs/registry.md, "The digest")

const ENUMS = {
  entity_class: {
    KEY: ["重点", "重点监管", "重点监管对象", "重点排污单位", "重点污染源", "重点排污企业"],
    GENERAL: ["一般", "一般监管", "一般监管对象", "一般排污单位", "一般污染源", "一般排污企业"],
    SPECIAL: ["特殊", "特殊监管", "特殊监管对象", "特殊监管单位"],
  },
  pollution_types: {
    WASTEWATER: ["废水", "水", "水污染"],
    WASTE_GAS: ["废气", "气", "大气", "大气污染"],
    NOISE: ["噪声", "噪音"],
    SOLID_WASTE: ["固废", "废渣", "固体废物"],
    RADIATION: ["辐射", "放射性"],
    SOIL: ["土壤", "土壤污染"],
  },
  permit_class: { KEY_MANAGEMENT: ["重点管理", "重点"], SIMPLIFIED: ["简化管理", "简化"], REGISTRATION: ["登记管理", "登记"] },
  production_status: {
    OPERATING: ["在产", "生产", "正常生产"],
    SEASONAL: ["季节性生产", "间歇生产"],
    SUSPENDED: ["停产", "停工停产", "临时停产"],
    UNDER_CONSTRUCTION: ["在建", "建设中"],
    CLOSED: ["关闭", "关停", "注销"],
  },
  control_level: { NATIONAL: ["国控", "国家重点监控"], PROVINCIAL: ["省控", "省级重点监控"], CITY: ["市控", "市级重点监控"], COUNTY: ["县控", "县级重点监控"] },
  credit_rating: {
    EXCELLENT: ["环保诚信", "诚信", "绿牌"],
    GOOD: ["环保良好", "良好", "蓝牌"],
    WARNING: ["环保警示", "警示", "黄牌"],
    BAD: ["环保不良", "不良", "红牌"],
  },
  grade: { A: ["A级"], B: ["B级"], C: ["C级"], D: ["D级"] },
  scale: { LARGE: ["大型"], MEDIUM: ["中型"], SMALL: ["小型"], MICRO: ["微型"] },
  gender: { MALE: ["男", "M"], FEMALE: ["女", "F"] },
  auxiliary_kind: {
    MONITORING: ["监测监控机构", "监测机构"],
    THIRD_PARTY: ["社会监测单位", "第三方"],
    RESEARCH: ["科研院所"],
    EXPERT: ["专家", "专家技术人员"],
  },
  mode: { ON_SITE: ["现场检查", "现场"], NON_SITE: ["非现场检查", "非现场"] },
};

const ENUM_MAPS = new Map();

/** spelling -> value for one enum: a value's own name first, then its spellings (the
 * first value listing a spelling wins). */
function enumMap(name) {
  let map = ENUM_MAPS.get(name);
  if (map === undefined) {
    map = new Map();
    for (const [value, spellings] of Object.entries(ENUMS[name])) {
      for (const s of spellings) if (!map.has(s)) map.set(s, value);
    }
    for (const value of Object.keys(ENUMS[name])) map.set(value, value);
    ENUM_MAPS.set(name, map);
  }
  return map;
}

function lookupEnum(name, text) {
  const map = enumMap(name);
  const t = strip(text);
  const found = map.get(t) ?? map.get(t.toUpperCase());
  if (found === undefined) throw new InputError(`${short(text)} is not a known value of ${name}`);
  return found;
}

const FLAGS = [
  "positive_list", "key_emitter_list", "two_high", "hazardous_waste", "tailings_pond",
  "hazardous_chemicals", "heavy_metals", "landfill", "legacy_mine", "important_facility",
  "supervised_listing_last_year", "media_exposure", "repeated_complaints", "criminal_record",
  "seriously_dishonest", "high_environmental_risk",
];

// [field, Chinese title, type, aliases]; types: req, opt, upper (required, upper-cased),
// enum:NAME (required with default) / oenum:NAME (optional), float, int, date, set,
// enumset:NAME, flag0 / flag1 (default false / true), itemclass.
const FIELDS = {
  E: [
    ["uscc", "统一社会信用代码", "req", ["社会信用代码", "统一信用代码", "信用代码", "统一社会信用代码（注册号）"]],
    ["name", "企业名称", "req", ["单位名称", "污染源名称", "检查对象名称", "企业（单位）名称", "排污单位名称"]],
    ["entity_class", "监管类别", "enum:entity_class", ["企业分类", "监管类型", "检查对象类别", "类别", "分类", "污染源类别"]],
    ["division_code", "行政区划", "req", ["行政区划代码", "区划代码"]],
    ["permit_number", "排污许可证编号", "opt", ["排污许可证编码", "许可证编号", "排污许可证号"]],
    ["permit_class", "排污许可管理类别", "oenum:permit_class"],
    ["authority", "所属机关", "opt"],
    ["basin", "所属流域", "opt"],
    ["longitude", "经度", "float"],
    ["latitude", "纬度", "float"],
    ["industry_code", "行业类别", "upper", ["行业类别代码", "行业代码"]],
    ["pollution_types", "污染类型", "enumset:pollution_types", ["污染物类型", "污染物类别"]],
    ["production_status", "生产状态", "enum:production_status", ["运行状态", "生产状况"]],
    ["production_start", "投产时间", "date", ["投产日期"]],
    ["products_and_scale", "产品及生产规模", "opt"],
    ["scale", "生产规模", "oenum:scale"],
    ["address", "单位地址", "opt", ["污染源地址", "地址"]],
    ["phone", "单位电话", "opt"],
    ["legal_representative", "企业法人", "opt", ["法定代表人"]],
    ["contact", "联系人", "opt"],
    ["contact_phone", "联系人电话", "opt"],
    ["environmental_officer", "环保负责人", "opt"],
    ["control_level", "重点监控级别", "oenum:control_level"],
    ["credit_rating", "环境信用评价", "oenum:credit_rating", ["企业环境信用评级", "环境信用评级"]],
    ["market_credit_risk", "市场监管信用风险分类", "oenum:grade"],
    ["weather_grade", "重污染天气绩效分级", "oenum:grade", ["重污染天气绩效等级", "绩效分级"]],
    ["positive_list", "正面清单", "flag0", ["监督执法正面清单"]],
    ["key_emitter_list", "重点排污单位名录", "flag0"],
    ["two_high", "两高项目", "flag0"],
    ["hazardous_waste", "危险废物", "flag0"],
    ["tailings_pond", "尾矿库", "flag0"],
    ["hazardous_chemicals", "危化品", "flag0"],
    ["heavy_metals", "重金属", "flag0"],
    ["landfill", "垃圾填埋场", "flag0"],
    ["legacy_mine", "历史遗留问题矿山", "flag0"],
    ["important_facility", "重要环保设施", "flag0"],
    ["supervised_listing_last_year", "上一年度挂牌督办", "flag0"],
    ["media_exposure", "媒体曝光", "flag0"],
    ["repeated_complaints", "群众反复投诉", "flag0"],
    ["criminal_record", "涉刑等严重违法记录", "flag0"],
    ["seriously_dishonest", "严重失信", "flag0"],
    ["high_environmental_risk", "环境风险等级高", "flag0"],
    ["tags", "标签", "set"],
  ],
  I: [
    ["inspector_id", "人员编号", "req", ["工号", "人员代码"]],
    ["name", "姓名", "req"],
    ["unit", "单位", "req", ["科室（单位）", "所在单位", "科室"]],
    ["certificate_number", "执法证号", "opt", ["执法（工作）证号", "执法证件号", "证件号"]],
    ["post", "职务岗位", "opt", ["职务", "岗位"]],
    ["grade", "执法人员等级", "opt", ["等级", "执法等级"]],
    ["region", "所在区域", "opt", ["所在区域代码", "区域"]],
    ["years_of_service", "工作年限", "int"],
    ["expertise", "业务专长", "set", ["专长"]],
    ["department", "部门", "opt", ["部门岗位"]],
    ["specialty", "专业类别", "opt"],
    ["enforcement_scope", "监管执法类型", "opt"],
    ["gender", "性别", "oenum:gender"],
    ["on_staff", "在编在岗", "flag1", ["在编", "是否在编在岗"]],
    ["has_certificate", "持执法证", "flag1", ["持证", "是否持证"]],
    ["auxiliary", "辅助检查人员", "flag0", ["辅助人员"]],
    ["auxiliary_kind", "辅助人员类别", "oenum:auxiliary_kind"],
    ["conflicts", "利害关系", "set", ["回避对象", "利害关系人"]],
  ],
  T: [
    ["code", "事项编号", "req", ["编号", "序号"]],
    ["name", "检查事项", "req", ["抽查事项", "事项名称"]],
    ["item_class", "事项类别", "itemclass"],
    ["inspecting_body", "检查机构", "opt"],
    ["objects", "检查对象", "opt"],
    ["content", "检查内容", "opt"],
    ["method", "检查方式", "opt"],
    ["ratio", "抽查比例", "opt"],
    ["level", "实施层级", "opt"],
    ["legal_basis", "抽查依据", "opt"],
    ["source", "来源", "opt"],
  ],
};

const normaliseHeader = (h) => h.replace(/\ufeff/g, "").replace(WS_RE, "").toLowerCase();

function headerLookup(letter) {
  const table = new Map();
  for (const [field, title] of FIELDS[letter]) {
    table.set(normaliseHeader(field), field);
    table.set(normaliseHeader(title), field);
  }
  for (const [field, , , aliases = []] of FIELDS[letter]) {
    for (const a of aliases) if (!table.has(normaliseHeader(a))) table.set(normaliseHeader(a), field);
  }
  return table;
}

const TRUE_FLAGS = ["1", "true", "yes", "y", "t", "是", "有", "√", "✓"];
const FALSE_FLAGS = ["0", "false", "no", "n", "f", "否", "无", "×", ""];

const FLAG_VALUES = new Map([...TRUE_FLAGS.map((f) => [f, true]), ...FALSE_FLAGS.map((f) => [f, false])]);

function parseFlag(text) {
  const t = strip(text);
  const value = FLAG_VALUES.get(t) ?? FLAG_VALUES.get(t.toLowerCase());
  if (value === undefined) throw new InputError(`${short(text)} is not a flag (是/否)`);
  return value;
}

/** YYYY-MM-DD of 2020-01-05, 2020/1/5, 2020.1.5 or 2020年1月5日. */
export function parseDate(text) {
  const t = strip(text);
  const m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(t) || /^(\d{4})(年)(\d{1,2})月(\d{1,2})日$/.exec(t);
  if (!m) throw new InputError(`${short(text)} is not a date`);
  const [y, mo, d] = [Number(m[1]), Number(m[3]), Number(m[4])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new InputError(`${short(text)} is not a real date`);
  }
  return `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`;
}

function splitSet(text) {
  return text
    .split(/[;；,，、|/]/)
    .map(strip)
    .filter((p) => p !== "");
}

const uniqueSorted = (list) => sortCP([...new Set(list)]);

/** The reader of one field type: raw cell text (or undefined) -> canonical value. */
function cellParser(type) {
  const [kind, name] = type.includes(":") ? type.split(":") : [type, null];
  switch (kind) {
    case "req":
    case "upper":
      return (raw) => {
        const t = raw === undefined ? "" : strip(raw);
        if (t === "") throw new InputError("a required value is empty");
        return kind === "upper" ? t.toUpperCase() : t;
      };
    case "opt":
      return (raw) => {
        const t = raw === undefined ? "" : strip(raw);
        return t === "" ? null : t;
      };
    case "itemclass":
      return (raw) => {
        const t = raw === undefined ? "" : strip(raw);
        return t === "" ? "一般检查事项" : t;
      };
    case "enum":
      return (raw) => {
        const t = raw === undefined ? "" : strip(raw);
        if (t === "") {
          if (name === "production_status") return "OPERATING";
          throw new InputError("a required value is empty");
        }
        return lookupEnum(name, t);
      };
    case "oenum":
      return (raw) => {
        const t = raw === undefined ? "" : strip(raw);
        return t === "" ? null : lookupEnum(name, t);
      };
    case "enumset":
      return (raw) => uniqueSorted(splitSet(raw === undefined ? "" : raw).map((p) => lookupEnum(name, p)));
    case "set":
      return (raw) => uniqueSorted(splitSet(raw === undefined ? "" : raw));
    case "flag0":
    case "flag1":
      return (raw) => {
        const t = raw === undefined ? "" : strip(raw);
        return t === "" ? kind === "flag1" : parseFlag(t);
      };
    case "date":
      return (raw) => {
        const t = raw === undefined ? "" : strip(raw);
        return t === "" ? null : parseDate(t);
      };
    case "int":
      return (raw) => {
        const t = raw === undefined ? "" : strip(raw);
        if (t === "") return 0;
        if (!/^[+-]?\d+$/.test(t)) throw new InputError(`${short(t)} is not a whole number`);
        return Number(t);
      };
    case "float":
      return (raw) => {
        const t = raw === undefined ? "" : strip(raw);
        if (t === "") return null;
        const n = Number(t);
        if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) || !Number.isFinite(n)) {
          throw new InputError(`${short(t)} is not a number`);
        }
        return new PyFloat(n);
      };
    default:
      throw new Error(`unknown field type ${type}`);
  }
}

const PARSERS = Object.fromEntries(
  Object.entries(FIELDS).map(([letter, fields]) => [letter, fields.map(([field, , type]) => [field, cellParser(type)])]),
);

const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** Whether `code` is a USCC with a correct GB 32100-2015 check character. */
export function validUscc(code) {
  if (typeof code !== "string" || code.length !== 18) return false;
  let sum = 0;
  for (let n = 0; n < 17; n++) {
    const v = USCC_ALPHABET.indexOf(code[n]);
    if (v < 0) return false;
    sum += v * USCC_WEIGHTS[n];
  }
  return code[17] === USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

/** Records of one CSV table (E, I or T), each {field: canonical value}, in file order. */
export function readTable(letter, data, name = "file") {
  const rows = parseCsv(decodeText(data));
  if (!rows.length) return [];
  const lookup = headerLookup(letter);
  const columns = rows[0].map((h) => lookup.get(normaliseHeader(h)) ?? null);
  const key = FIELDS[letter][0][0];
  if (!columns.includes(key)) throw new InputError(`${name}: no ${FIELDS[letter][0][1]} (${key}) column`);
  // each field's column (the last of that name, as a later column overrides an earlier)
  const parsers = PARSERS[letter];
  const at = parsers.map(([field]) => columns.lastIndexOf(field));
  const records = [];
  for (let n = 0; n < rows.length - 1; n++) {
    const cells = rows[n + 1];
    if (cells.length > rows[0].length) {
      throw new InputError(`${name}, row ${n + 2}: a value beyond the header's ${rows[0].length} columns`);
    }
    const record = {};
    for (let f = 0; f < parsers.length; f++) {
      const [field, parse] = parsers[f];
      const c = at[f];
      const raw = c < 0 || c >= cells.length ? undefined : unescapeCell(cells[c]);
      try {
        record[field] = parse(raw);
      } catch (e) {
        throw new InputError(`${name}, row ${n + 2}, column ${field}: ${e.message}`);
      }
    }
    if (letter === "E" && !validUscc(record.uscc)) {
      throw new InputError(`${name}, row ${n + 2}: ${short(record.uscc)} is not a valid USCC`);
    }
    records.push(record);
  }
  const seen = new Set();
  for (const r of records) {
    if (seen.has(r[key])) throw new InputError(`${name}: duplicate ${r[key]}`);
    seen.add(r[key]);
  }
  return records;
}

/** The registry from its CSV files: {entities, inspectors, items} of bytes or text. */
export function readRegistry({ entities, inspectors = null, items = null }) {
  return {
    entities: readTable("E", entities, "entities"),
    inspectors: inspectors == null ? [] : readTable("I", inspectors, "inspectors"),
    items: items == null ? [] : readTable("T", items, "items"),
  };
}

/** The registry digest (docs/registry.md, "The canonical text"). */
export async function registryDigest(registry) {
  let text = "randcheck-registry-v1\n";
  for (const letter of ["E", "I", "T"]) text += `${letter}\t${compactJson(FIELDS[letter].map((f) => f[0]))}\n`;
  for (const [letter, list] of [["E", registry.entities], ["I", registry.inspectors], ["T", registry.items]]) {
    const key = FIELDS[letter][0][0];
    const sorted = [...list].sort((a, b) => cmpCP(a[key], b[key]));
    for (const r of sorted) text += `${letter}\t${compactJson(FIELDS[letter].map((f) => r[f[0]]))}\n`;
  }
  return sha256Hex(text);
}

// ---------------------------------------------------------------------------------------
// History (docs/verification.md, "History files")

const HISTORY_HEADERS = {
  uscc: "uscc", 统一社会信用代码: "uscc", date: "date", 检查日期: "date", mode: "mode", 检查方式: "mode",
  items: "items", 检查事项: "items", task_id: "task_id", 任务编号: "task_id",
};

function historyRecord(raw, where) {
  const uscc = strip(raw.uscc ?? "");
  if (!validUscc(uscc)) throw new InputError(`${where}: ${short(raw.uscc)} is not a valid USCC`);
  if (typeof raw.date !== "string") throw new InputError(`${where}: no date`);
  const date = parseDate(raw.date);
  const mode = raw.mode == null || raw.mode === "" ? "ON_SITE" : lookupEnum("mode", raw.mode);
  const items = (raw.items || []).map(strip);
  const task = raw.task_id == null || strip(raw.task_id) === "" ? null : strip(raw.task_id);
  return { uscc, date, mode, items, task_id: task };
}

/** The inspections of a history file (CSV or JSON, bytes or text). */
export function readHistory(data) {
  const text = decodeText(data);
  const first = strip(text)[0];
  if (first === "[" || first === "{") {
    let doc = plain(parseJson(text));
    if (!Array.isArray(doc)) {
      const extra = Object.keys(doc).filter((k) => k !== "format" && k !== "inspections");
      if (extra.length || (doc.format !== undefined && doc.format !== "randcheck-history")) {
        throw new InputError("history: not a randcheck history object");
      }
      doc = doc.inspections;
    }
    if (!Array.isArray(doc)) throw new InputError("history: inspections must be a list");
    return doc.map((h, n) => {
      const where = `history entry ${n + 1}`;
      if (!h || typeof h !== "object" || Array.isArray(h)) throw new InputError(`${where}: not an object`);
      for (const k of Object.keys(h)) {
        if (!["uscc", "date", "mode", "items", "task_id"].includes(k)) throw new InputError(`${where}: unknown key ${k}`);
      }
      if (h.items !== undefined && (!Array.isArray(h.items) || h.items.some((i) => typeof i !== "string"))) {
        throw new InputError(`${where}: items must be a list of strings`);
      }
      return historyRecord(h, where);
    });
  }
  const rows = parseCsv(text);
  if (!rows.length) return [];
  const columns = rows[0].map((h) => {
    const c = HISTORY_HEADERS[strip(h)];
    if (!c) throw new InputError(`history: unknown column ${short(h)}`);
    return c;
  });
  if (new Set(columns).size !== columns.length) throw new InputError("history: a column is repeated");
  if (!columns.includes("uscc") || !columns.includes("date")) throw new InputError("history: uscc and date are required");
  return rows.slice(1).map((cells, n) => {
    const raw = {};
    cells.forEach((cell, c) => {
      if (c >= columns.length) throw new InputError(`history, row ${n + 2}: a value beyond the header`);
      if (strip(cell) !== "") raw[columns[c]] = cell;
    });
    raw.items = raw.items === undefined ? [] : raw.items.split(";").map(strip).filter((p) => p !== "");
    return historyRecord(raw, `history, row ${n + 2}`);
  });
}

/** The history digest. */
export async function historyDigest(history) {
  const lines = history
    .map((h) => `H\t${compactJson([h.uscc, h.date, h.mode, h.items, h.task_id])}\n`)
    .sort(cmpCP);
  return sha256Hex(`randcheck-history-v1\n${lines.join("")}`);
}

// ---------------------------------------------------------------------------------------
// Commitment, seed, ranking

export const INPUT_KEYS = [
  "policy", "period", "jurisdiction", "campaign", "departments", "expertise", "capacity",
  "registry_digest", "history_digest", "randomness",
];

export function receiptInputs(receipt) {
  return Object.fromEntries(INPUT_KEYS.map((k) => [k, receipt[k] === undefined ? null : receipt[k]]));
}

function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let n = 0; n < out.length; n++) out[n] = parseInt(hex.slice(2 * n, 2 * n + 2), 16);
  return out;
}

/** The commitment a receipt must carry for `secret` (its version's rule). */
export async function commitmentOf(receipt, secret) {
  if (receipt.version === 1) return sha256Hex(hexBytes(secret));
  return sha256Hex(`randcheck-commitment-v2\n${secret}\n${canonicalJson(receiptInputs(receipt))}`);
}

/** Public randomness as the receipt records it: no white space, lower case, hex, >= 20. */
export function normalisePublic(text) {
  const cleaned = text.replace(WS_RE, "").toLowerCase();
  if (!/^[0-9a-f]+$/.test(cleaned) || cleaned.length < 20) throw new Error("not public randomness");
  return cleaned;
}

export function seedContext(receipt) {
  const context = {
    policy: `${receipt.policy.id}@${receipt.policy.version}`,
    period: receipt.period,
    jurisdiction: receipt.jurisdiction,
    registry: receipt.registry_digest,
    history: receipt.history_digest,
    campaign: receipt.campaign ?? null,
  };
  if (receipt.departments?.length) context.departments = [...receipt.departments];
  if (receipt.expertise?.length) context.expertise = sortCP(receipt.expertise);
  if (receipt.capacity != null) context.capacity = receipt.capacity;
  return context;
}

export async function drawSeed(secret, publicRandomness, context) {
  return sha256Hex(`randcheck-seed-v1\n${secret}\n${publicRandomness}\n${canonicalJson(context)}`);
}

/** Rivest's consistent sampling, as consistent-sampler 1.0.10 ranks ids under a seed. */
export class Ranker {
  constructor(seed) {
    this.seed = seed;
    this.cache = new Map();
    this.prefix = null;
  }

  async ticket(id) {
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached;
    if (this.prefix === null) {
      await checkSyncSha256();
      this.prefix = sha256HexSync(this.seed);
    }
    const digits = BigInt(`0x${sha256HexSync(this.prefix + id)}`).toString().padStart(64, "0");
    let reversed = "";
    for (let i = digits.length - 1; i >= 0; i--) reversed += digits[i];
    const t = `0.${reversed}`;
    this.cache.set(id, t);
    return t;
  }

  async order(ids) {
    const withTickets = await Promise.all([...ids].map(async (id) => [await this.ticket(id), id]));
    withTickets.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : cmpCP(a[1], b[1])));
    return withTickets.map((p) => p[1]);
  }

  async take(ids, k) {
    if (k <= 0) return [];
    return (await this.order(ids)).slice(0, k);
  }
}

// ---------------------------------------------------------------------------------------
// The draw (docs/verification.md, "The draw")

export class DrawError extends Error {}

const CLASSES = ["KEY", "SPECIAL", "GENERAL"];

/** Python's format(x, "g"). */
export function formatG(x) {
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const exp = Number(x.toExponential(5).split("e")[1]);
  const trim = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp >= -4 && exp < 6) return trim(x.toFixed(5 - exp));
  const [m, e] = x.toExponential(5).split("e");
  const n = Number(e);
  return `${trim(m)}e${n < 0 ? "-" : "+"}${pad(Math.abs(n), 2)}`;
}

const ceilDiv = (a, b) => Math.ceil(a / b); // exact for the small integers of quotas
const ceilRound9 = (x) => Math.ceil(Number(x.toFixed(9)));

function conditionHolds(entity, condition) {
  const value = entity[condition.field];
  if (condition.op === "is_true") return value === true;
  if (condition.op === "eq") return typeof value === "string" && value === condition.value;
  if (condition.op === "in") return typeof value === "string" && (condition.value || []).includes(value);
  return false;
}

function passesCampaign(e, f) {
  if (!f) return true;
  if (f.classes != null && !f.classes.includes(e.entity_class)) return false;
  if (f.division_prefixes.length && !f.division_prefixes.some((p) => e.division_code.startsWith(p))) return false;
  if (f.industry_prefixes.length && !f.industry_prefixes.some((p) => e.industry_code.startsWith(p))) return false;
  if (f.pollution_types != null && !e.pollution_types.some((t) => f.pollution_types.includes(t))) return false;
  if (f.permit_classes != null && !f.permit_classes.includes(e.permit_class)) return false;
  if (f.scales != null && !f.scales.includes(e.scale)) return false;
  if (f.statuses != null && !f.statuses.includes(e.production_status)) return false;
  for (const [flag, wanted] of Object.entries(f.flags || {})) if (e[flag] !== wanted) return false;
  if (f.tags_any != null && !e.tags.some((t) => f.tags_any.includes(t))) return false;
  return true;
}

const CAMPAIGN_SETS = ["classes", "pollution_types", "permit_classes", "scales", "statuses", "tags_any"];
const CAMPAIGN_VALUES = {
  classes: Object.keys(ENUMS.entity_class),
  pollution_types: Object.keys(ENUMS.pollution_types),
  permit_classes: Object.keys(ENUMS.permit_class),
  scales: Object.keys(ENUMS.scale),
  statuses: Object.keys(ENUMS.production_status),
};

/** The problem with a receipt's campaign, or null when it is in its canonical form. */
export function campaignProblem(c) {
  if (c === null) return null;
  const keys = [...CAMPAIGN_SETS, "division_prefixes", "industry_prefixes", "flags"];
  if (typeof c !== "object" || Array.isArray(c)) return "the campaign filter is not an object";
  const extra = Object.keys(c).filter((k) => !keys.includes(k));
  if (extra.length) return `campaign: unknown key ${extra[0]}`;
  const missing = keys.filter((k) => !Object.hasOwn(c, k));
  const isStrings = (v) => Array.isArray(v) && v.every((s) => typeof s === "string");
  for (const k of CAMPAIGN_SETS) {
    const v = c[k];
    if (v === undefined || v === null) continue;
    if (!isStrings(v)) return `campaign.${k}: a list of strings or null`;
    if (CAMPAIGN_VALUES[k] && v.some((s) => !CAMPAIGN_VALUES[k].includes(s))) return `campaign.${k}: not an English value`;
  }
  for (const k of ["division_prefixes", "industry_prefixes"]) {
    if (c[k] !== undefined && !isStrings(c[k])) return `campaign.${k}: a list of strings`;
  }
  if (c.flags !== undefined) {
    if (!c.flags || typeof c.flags !== "object" || Array.isArray(c.flags)) return "campaign.flags: an object";
    for (const [k, v] of Object.entries(c.flags)) {
      if (!FLAGS.includes(k) || typeof v !== "boolean") return `campaign.flags: ${k} is not an entity flag`;
    }
  }
  const detail = "the campaign filter is not in its canonical form (sets sorted, no defaults)";
  if (missing.length) return detail;
  for (const k of CAMPAIGN_SETS) {
    if (c[k] !== null && !deepEqual(c[k], uniqueSorted(c[k]))) return detail;
  }
  for (const k of ["division_prefixes", "industry_prefixes"]) if (!deepEqual(c[k], sortCP(c[k]))) return detail;
  const isDefault =
    CAMPAIGN_SETS.every((k) => c[k] === null) &&
    !c.division_prefixes.length &&
    !c.industry_prefixes.length &&
    !Object.keys(c.flags).length;
  return isDefault ? detail : null;
}

function periodOf(label) {
  const m = /^(\d{4})Q([1-4])$/.exec(label);
  if (!m) throw new DrawError(`period ${short(label)} is not YYYYQn`);
  const year = Number(m[1]);
  const q = Number(m[2]);
  return { label, year, q, start: `${pad(year, 4)}-${pad(3 * (q - 1) + 1, 2)}-01`, index: 4 * year + q - 1, left: 5 - q };
}

const quarterIndexOfDate = (d) => 4 * Number(d.slice(0, 4)) + Math.floor((Number(d.slice(5, 7)) - 1) / 3);

/** limit(e): the same month and day `years` later (29 Feb -> 28 Feb), minus one day. */
function gapLimit(date, years) {
  const y = Number(date.slice(0, 4)) + years;
  let m = Number(date.slice(5, 7));
  let d = Number(date.slice(8, 10));
  if (m === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) d = 28;
  const t = new Date(Date.UTC(y, m - 1, d) - 86_400_000);
  m = t.getUTCMonth() + 1;
  return `${pad(t.getUTCFullYear(), 4)}-${pad(m, 2)}-${pad(t.getUTCDate(), 2)}`;
}

function clauseText(rule) {
  return `${rule.citation.document} ${rule.citation.clause}`;
}

/** The draw pool: the eligible inspectors (step 6), in registry file order. */
function inspectorPool(registry, jurisdiction, rules) {
  const poolRule = rules.find((r) => r.kind === "inspector_pool");
  const needCert = poolRule ? poolRule.require_certificate !== false : true;
  const needStaff = poolRule ? poolRule.require_on_staff !== false : true;
  return registry.inspectors.filter(
    (i) =>
      (jurisdiction == null || i.region == null || i.region === jurisdiction) &&
      !i.auxiliary &&
      (i.has_certificate || !needCert) &&
      (i.on_staff || !needStaff),
  );
}

/**
 * Recompute a draw: {quotas, tasks (with teams), pool} from the receipt's inputs.
 * `algorithm` is "randcheck-draw-v1" or "randcheck-draw-v2".
 */
export async function planDraw({ parameters, registry, history, period, jurisdiction, campaign, departments = [], expertise = [], capacity = null, seed, algorithm }) {
  const v2 = algorithm !== "randcheck-draw-v1";
  const rules = parameters.rules;
  const P = periodOf(period);
  const yearStart = `${pad(P.year, 4)}-01-01`;
  const earlier = history.filter((h) => h.date < P.start);
  const byEntity = new Map();
  for (const h of earlier) {
    if (!byEntity.has(h.uscc)) byEntity.set(h.uscc, []);
    byEntity.get(h.uscc).push(h);
  }
  const thisYear = (uscc) => (byEntity.get(uscc) || []).filter((h) => h.date >= yearStart).length;
  const ranker = new Ranker(seed);
  const firstRule = (kind, c) => rules.find((r) => r.kind === kind && (c === undefined || r.entity_class === c));
  const lookedAt = registry.entities.filter((e) => jurisdiction == null || e.division_code === jurisdiction);
  const baseRule = firstRule("draw_base");
  const statuses = baseRule ? baseRule.statuses : ["OPERATING", "SEASONAL"];
  const label = statuses.every((s) => s === "OPERATING" || s === "SEASONAL") ? "operating" : "registered (not closed)";
  const cap = firstRule("item_cap");
  const pool = inspectorPool(registry, jurisdiction, rules);
  const quotas = [];
  const drawnAll = [];
  const classInfo = {};
  for (const c of CLASSES) {
    const base = lookedAt.filter((e) => e.entity_class === c && statuses.includes(e.production_status));
    const eligible = base.filter(
      (e) =>
        passesCampaign(e, campaign) &&
        !(cap && !(cap.exempt || []).includes(c) && thisYear(e.uscc) >= cap.max_per_year),
    );
    const shares = rules.filter((r) => r.kind === "quarterly_share" && r.entity_class === c);
    const share = shares[0];
    const hasScope = Boolean(share && share.scope && share.scope.length);
    const scopeRules = shares.filter((r) => r.scope && r.scope.length);
    const scope = scopeRules.length ? scopeRules[scopeRules.length - 1].scope : [];
    const inScope = (e) => scope.every((cond) => conditionHolds(e, cond));
    const terms = [];
    let shareCount = 0;
    let UNC = new Set();
    let NOW = new Set();
    if (share) {
      const counted = hasScope ? base.filter(inScope) : base;
      const f = share.min_fraction;
      shareCount = ceilRound9(f * counted.length);
      terms.push({
        rule_id: share.id,
        clause: clauseText(share),
        count: shareCount,
        explanation: `${formatG(f * 100)} % of ${counted.length} ${label} ${c.toLowerCase()} entities${hasScope ? " in scope" : ""}, rounded up`,
      });
    }
    const staffRule = firstRule("staff_multiple", c);
    if (staffRule) {
      const m = staffRule.multiple;
      const staff = pool.filter((i) => i.on_staff && !i.auxiliary && (staffRule.basis !== "certified" || i.has_certificate)).length;
      const yearly = Math.ceil(m * staff);
      const done = base.filter((e) => thisYear(e.uscc) > 0).length;
      const rest = Math.max(0, yearly - done);
      terms.push({
        rule_id: staffRule.id,
        clause: clauseText(staffRule),
        count: ceilDiv(rest, P.left),
        explanation: `${formatG(m)} x ${staff} inspectors = ${yearly} a year; ${done} done; ${rest} over ${P.left} quarter(s) left`,
      });
    }
    const cycle = firstRule("coverage_cycle", c);
    if (cycle && cycle.measure === "window") {
      const anchor = Number(parameters.effective_from.slice(0, 4));
      const first = anchor + Math.max(0, Math.floor((P.year - anchor) / cycle.years)) * cycle.years;
      const last = first + cycle.years - 1;
      const left = (last - P.year) * 4 + P.left;
      const [from, to] = [`${pad(first, 4)}-01-01`, `${pad(last, 4)}-12-31`];
      let total = 0;
      for (const e of eligible) {
        const seen = (byEntity.get(e.uscc) || []).filter((h) => h.date >= from && h.date <= to).length;
        const need = cycle.times - seen;
        if (need > 0) {
          UNC.add(e.uscc);
          total += need;
          if (need >= left) NOW.add(e.uscc);
        }
      }
      terms.push({
        rule_id: cycle.id,
        clause: clauseText(cycle),
        count: Math.max(ceilDiv(total, left), NOW.size),
        explanation:
          `${total} inspection(s) still needed by ${last}-12-31 (${UNC.size} entities) over ${left} quarter(s)` +
          (NOW.size ? `; ${NOW.size} must be drawn now` : ""),
      });
    } else if (cycle && cycle.measure === "gap") {
      let rate = 0.0;
      for (const e of eligible) {
        const dates = (byEntity.get(e.uscc) || []).map((h) => h.date).sort();
        const lastDate = dates.length ? dates[dates.length - 1] : parameters.effective_from;
        const left = quarterIndexOfDate(gapLimit(lastDate, cycle.years)) - P.index + 1;
        if (left <= 1) {
          NOW.add(e.uscc);
          UNC.add(e.uscc);
          rate += 1;
        } else {
          if (left <= 4) UNC.add(e.uscc);
          rate += 1 / left;
        }
      }
      terms.push({
        rule_id: cycle.id,
        clause: clauseText(cycle),
        count: Math.max(ceilRound9(rate), NOW.size),
        explanation: `${NOW.size} due by ${P.label} (${cycle.years} years since their last inspection); ${eligible.length - NOW.size} others spread over the quarters to their limits`,
      });
    }
    const minimum = firstRule("quarterly_minimum", c);
    if (minimum) {
      terms.push({ rule_id: minimum.id, clause: clauseText(minimum), count: minimum.count, explanation: `at least ${minimum.count} each quarter` });
    }
    const notes = [];
    for (const r of rules) {
      if (r.kind === "not_specified" && r.entity_class === c) notes.push(`${r.id}: not specified (${r.stated}), ${clauseText(r)}`);
    }
    const noMin = firstRule("no_minimum", c);
    if (noMin) notes.push(`${noMin.id}: no minimum, inspections any time, ${clauseText(noMin)}`);
    if (!terms.length && !notes.length) notes.push("the policy sets no number for this class");
    const required = terms.length ? Math.max(...terms.map((t) => t.count)) : 0;
    const quota = Math.min(required, eligible.length);
    if (required > quota) notes.push(`capped: the rules ask for ${required}, the eligible pool holds ${quota}`);
    quotas.push({
      class: c,
      required,
      quota,
      capped: required > eligible.length,
      base: base.length,
      eligible: eligible.length,
      uncovered: UNC.size,
      terms,
      notes,
    });
    // 4. Ranking
    const drawn = [];
    if (quota > 0) {
      const E = eligible.map((e) => e.uscc);
      let taken = new Set(); // what `drawn` holds when a level's list is made
      const has = (u) => taken.has(u);
      if (v2) {
        drawn.push(...(await ranker.take(E.filter((u) => NOW.has(u)), quota)));
        if (hasScope && shareCount > 0) {
          const SC = eligible.filter(inScope).map((e) => e.uscc);
          const inSC = new Set(SC);
          let shortBy = shareCount - drawn.filter((u) => inSC.has(u)).length;
          taken = new Set(drawn);
          for (const L of [SC.filter((u) => UNC.has(u) && !has(u)), SC.filter((u) => !UNC.has(u) && !has(u))]) {
            if (shortBy <= 0 || drawn.length >= quota) break;
            const picked = await ranker.take(L, Math.min(shortBy, quota - drawn.length));
            drawn.push(...picked);
            shortBy -= picked.length;
          }
        }
      }
      taken = new Set(drawn);
      const level3 = E.filter((u) => UNC.has(u) && !has(u));
      const level4 = E.filter((u) => !UNC.has(u) && !has(u));
      for (const L of [level3, level4]) {
        if (drawn.length >= quota) break;
        drawn.push(...(await ranker.take(L, quota - drawn.length)));
      }
    }
    classInfo[c] = { UNC, NOW };
    drawn.forEach((u, n) => drawnAll.push({ uscc: u, cls: c, rank: n + 1 }));
  }
  // 5. Tasks
  const entityOf = new Map(registry.entities.map((e) => [e.uscc, e]));
  const nonSite = rules.filter((r) => r.kind === "non_site").flatMap((r) => r.any_of || []);
  const tasks = drawnAll.map((d, n) => {
    const e = entityOf.get(d.uscc);
    const task = {
      task_id: `${period}-${jurisdiction ?? "ALL"}-${pad(n + 1, 5)}`,
      uscc: d.uscc,
      class: d.cls,
      mode: nonSite.some((cond) => conditionHolds(e, cond)) ? "NON_SITE" : "ON_SITE",
      rank: d.rank,
      uncovered: classInfo[d.cls].UNC.has(d.uscc),
    };
    if (v2) task.due_now = classInfo[d.cls].NOW.has(d.uscc);
    task.team = [];
    task.recusals = [];
    return task;
  });
  // 6. Teams
  const teamRule = firstRule("team");
  const size = Math.max(teamRule && teamRule.min_size != null ? teamRule.min_size : 2, departments.length);
  const wanted = new Set(expertise);
  const load = new Map(pool.map((i) => [i.inspector_id, 0]));
  for (const task of tasks) {
    if (task.mode !== "ON_SITE") continue;
    const es = new Ranker(`${seed}|${task.uscc}`);
    const C = pool.filter((i) => i.conflicts.includes(task.uscc));
    task.recusals = (await es.order(C.map((i) => i.inspector_id))).map((id) => ({
      inspector_id: id,
      reason: "declared conflict of interest (利害关系, 回避)",
    }));
    const F = pool.filter(
      (i) => !C.includes(i) && (capacity == null || load.get(i.inspector_id) < capacity),
    );
    const keyed = await Promise.all(
      F.map(async (i) => ({
        i,
        unmatched: wanted.size > 0 && !i.expertise.some((x) => wanted.has(x)) ? 1 : 0,
        load: load.get(i.inspector_id),
        ticket: await es.ticket(i.inspector_id),
      })),
    );
    keyed.sort(
      (a, b) =>
        a.unmatched - b.unmatched ||
        a.load - b.load ||
        (a.ticket < b.ticket ? -1 : a.ticket > b.ticket ? 1 : 0) ||
        cmpCP(a.i.inspector_id, b.i.inspector_id),
    );
    const cand = keyed.map((k) => k.i);
    const team = [];
    for (const d of departments) {
      const m = cand.find((i) => i.department != null && i.department === d);
      if (!m) {
        if (F.length >= size) throw new DrawError(`no eligible inspector of department ${d} for ${task.task_id}`);
        break;
      }
      team.push(m);
    }
    for (const i of cand) {
      if (team.length >= size) break;
      if (!team.includes(i)) team.push(i);
    }
    if (team.length < size) throw new DrawError(`too few eligible inspectors for ${task.task_id}`);
    for (const i of team) load.set(i.inspector_id, load.get(i.inspector_id) + 1);
    task.team = team.map((i) => i.inspector_id);
  }
  return { quotas, tasks, pool };
}

const REASONS = ["POST_CHANGE", "WORK_CONFLICT", "HEALTH", "RECUSAL", "OTHER"];

/** Replay one recorded replacement on `tasks` (teams change); the record it makes. */
export async function replayReplacement({ parameters, pool, tasks, seed, record }) {
  const rules = parameters.rules;
  const rule = rules.find((r) => r.kind === "replacement");
  const fixed = rules.find((r) => r.kind === "list_fixed");
  const approver = (rule && rule.approval_by) || (fixed && fixed.changes_approved_by) || null;
  const task = tasks.find((t) => t.task_id === record.task_id);
  if (!task) throw new DrawError(`no task ${record.task_id}`);
  if (!task.team.includes(record.removed)) throw new DrawError(`${record.removed} is not on ${record.task_id}'s team`);
  if (!REASONS.includes(record.reason)) throw new DrawError(`unknown reason ${short(record.reason)}`);
  const listed = !rule || !(rule.reasons || []).length || rule.reasons.includes(record.reason);
  const note = typeof record.note === "string" && strip(record.note) !== "" ? strip(record.note) : null;
  if (!listed && !(rule && rule.other_reasons)) throw new DrawError(`reason ${record.reason} is not one the policy lists`);
  if (!listed && note === null) throw new DrawError("a reason the policy does not list needs a note");
  if (approver && !record.approved_by) throw new DrawError(`the replacement needs approval by ${approver}`);
  const usable = pool
    .filter((i) => !task.team.includes(i.inspector_id) && !i.conflicts.includes(task.uscc))
    .map((i) => i.inspector_id);
  let method = rule ? rule.method : "drawn_again";
  if (method === "any") method = record.method === "chosen" ? "chosen" : "drawn_again";
  let added;
  if (method === "chosen") {
    if (record.method !== "chosen") throw new DrawError("the policy has replacements chosen, the record says drawn again");
    if (!usable.includes(record.added)) throw new DrawError(`${record.added} cannot be added to ${task.task_id}`);
    added = record.added;
  } else {
    const order = await new Ranker(`${seed}|${task.uscc}`).order(usable);
    if (!order.length) throw new DrawError(`no inspector left to draw for ${task.task_id}`);
    added = order[0];
  }
  task.team[task.team.indexOf(record.removed)] = added;
  const out = {
    task_id: record.task_id,
    removed: record.removed,
    added,
    reason: record.reason,
    method,
    approved_by: record.approved_by === undefined ? null : record.approved_by,
  };
  if (note !== null) out.note = note;
  return out;
}

// ---------------------------------------------------------------------------------------
// Verification (docs/verification.md, "What verify checks, in order")

const RULE_KINDS = [
  "draw_base", "item_cap", "quarterly_share", "staff_multiple", "coverage_cycle", "quarterly_minimum",
  "no_minimum", "not_specified", "non_site", "inspector_pool", "team", "replacement", "list_fixed",
];

/** The draw parameters of a policy's JSON export. */
export function drawParameters(policy) {
  return {
    effective_from: policy.effective_from,
    effective_until: policy.effective_until ?? null,
    rules: policy.rules.filter((r) => RULE_KINDS.includes(r.kind)),
  };
}

function readJsonInput(data, what) {
  if (data !== null && typeof data === "object" && !(data instanceof Uint8Array) && !(data instanceof ArrayBuffer)) {
    return data; // already parsed
  }
  try {
    return parseJson(decodeText(data instanceof ArrayBuffer ? new Uint8Array(data) : data));
  } catch (e) {
    throw new InputError(`${what}: ${e.message}`);
  }
}

/**
 * Verify a receipt. Inputs are bytes (Uint8Array), text, or (receipt, announcement,
 * policy) already-parsed JSON:
 *   receipt, registry: {entities, inspectors?, items?} (the CSV files as published),
 *   history (CSV or JSON, optional: the empty history), announcement (optional),
 *   policy (its JSON export, optional), schemas ({receipt, "receipt-v1", announcement},
 *   defaults to the embedded copies).
 * Returns [{name, status: "passed" | "failed" | "not checked", detail}] in order.
 * Throws InputError when an input cannot be read at all.
 */
export async function verifyReceipt({ receipt, registry, history = null, announcement = null, policy = null, schemas = SCHEMAS }) {
  const checks = [];
  const add = (name, ok, detail = "") => {
    checks.push({ name, status: ok ? "passed" : "failed", detail: ok ? "" : detail });
    return ok;
  };
  const skip = (name, why) => checks.push({ name, status: "not checked", detail: why });
  const raw = readJsonInput(receipt, "receipt");
  const rawAnnouncement = announcement == null ? null : readJsonInput(announcement, "announcement");
  const rawPolicy = policy == null ? null : readJsonInput(policy, "policy");
  const reg = readRegistry(registry);
  const hist = history == null ? [] : readHistory(history);

  // 1. schema
  let found;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) found = ["(the document): a receipt is a JSON object"];
  else if (raw.format !== "randcheck-receipt") found = [`format: ${short(plain(raw.format))} is not "randcheck-receipt"`];
  else if (raw.version !== 1 && raw.version !== 2) found = [`version: ${short(plain(raw.version))} is not a receipt version (1 or 2)`];
  else {
    const schema = schemas[raw.version === 2 ? "receipt" : "receipt-v1"];
    found = schemaProblems(schema, raw);
  }
  if (!add("schema", !found.length, found.slice(0, 5).join("; "))) return checks;
  const r = plain(raw);

  // 2. sealed at, public randomness
  let sealedAt;
  try {
    sealedAt = parseTime(r.sealed_at, "sealed_at");
    add("sealed at", true);
  } catch (e) {
    add("sealed at", false, e.message);
    return checks;
  }
  let canonicalPublic = false;
  try {
    canonicalPublic = normalisePublic(r.public_randomness) === r.public_randomness;
  } catch {
    canonicalPublic = false;
  }
  if (!add("public randomness", canonicalPublic, "not in its normalised form")) return checks;

  // 3. announcement
  let randomnessAt = null;
  if (r.version === 1) skip("announcement", "a version-1 receipt binds no announcement");
  else if (rawAnnouncement === null) {
    skip(
      "announcement",
      r.announcement_digest === null
        ? "the draw was not announced: nothing shows its inputs were fixed before the public randomness existed"
        : `the receipt names announcement ${r.announcement_digest.slice(0, 16)}…; give it to check the inputs were announced before the randomness`,
    );
  } else {
    randomnessAt = await checkAnnouncement(add, r, rawAnnouncement, sealedAt, schemas.announcement);
  }
  // 4. sealed after randomness
  if (randomnessAt === null && r.version === 2 && r.randomness) randomnessAt = parseTime(r.randomness.expected_at, "randomness");
  if (randomnessAt !== null) {
    const ok = add("sealed after randomness", sealedAt >= randomnessAt, `sealed at ${r.sealed_at}, before its declared randomness existed`);
    if (!ok) return checks;
  }
  // 5. ledger: not read by this verifier.
  skip("ledger", "this verifier does not read ledgers (randcheck verify --ledger does)");

  // 6. registry and history digests
  const regDigest = await registryDigest(reg);
  const histDigest = await historyDigest(hist);
  const regOk = add("registry digest", r.registry_digest === regDigest, `receipt ${r.registry_digest.slice(0, 16)}…, registry ${regDigest.slice(0, 16)}…`);
  const histOk = add("history digest", r.history_digest === histDigest, `receipt ${r.history_digest.slice(0, 16)}…, history ${histDigest.slice(0, 16)}…`);
  if (!(regOk && histOk)) {
    skip("result", "not recomputed: the draw is only defined on the inputs it names");
    return checks;
  }

  // 7. policy
  if (r.version === 1) {
    skip("policy", "a version-1 receipt carries no parameters: verify it with randcheck verify");
    return checks;
  }
  if (rawPolicy === null) {
    skip("policy", "no policy given: the receipt's parameters are taken as recorded (give the policy's JSON export to check them)");
  } else {
    const p = plain(rawPolicy);
    const digest = await sha256Hex(canonicalJson(rawPolicy));
    let problem = null;
    if (p.id !== r.policy.id || p.version !== r.policy.version) {
      problem = `the receipt was drawn under ${r.policy.id} version ${r.policy.version}; the policy given is ${p.id} version ${p.version}`;
    } else if (digest !== r.policy.digest) {
      problem = `the receipt was drawn under a policy with digest ${r.policy.digest.slice(0, 16)}…; the one given has digest ${digest.slice(0, 16)}…`;
    } else if (!deepEqual(drawParameters(p), r.parameters)) {
      problem = `the receipt's parameters are not the policy's: ${firstDifference(drawParameters(p), r.parameters, "parameters")}`;
    }
    if (!add("policy", problem === null, problem)) return checks;
  }
  // 8. campaign
  const campaignIssue = campaignProblem(r.campaign);
  if (!add("campaign", campaignIssue === null, campaignIssue)) return checks;

  // 9. revealed, commitment
  const revealed = r.revealed;
  if (!add("revealed", revealed !== null, "the receipt is sealed: reveal it to verify the list")) return checks;
  const secret = revealed.secret;
  add("commitment", (await commitmentOf(r, secret)) === r.commitment, "the revealed secret does not give the commitment");

  // 10. seed, quotas, task count, result
  const seed = await drawSeed(secret, r.public_randomness, seedContext(r));
  let draw;
  try {
    const p = r.parameters;
    const P = periodOf(r.period);
    if (p.effective_from > `${P.year}-${pad(3 * P.q, 2)}-31` || (p.effective_until != null && p.effective_until < P.start)) {
      throw new DrawError(`the policy is not in force in ${r.period}`);
    }
    draw = await planDraw({
      parameters: p,
      registry: reg,
      history: hist,
      period: r.period,
      jurisdiction: r.jurisdiction,
      campaign: r.campaign,
      departments: r.departments || [],
      expertise: r.expertise || [],
      capacity: r.capacity ?? null,
      seed,
      algorithm: r.algorithm.draw,
    });
  } catch (e) {
    if (!(e instanceof DrawError)) throw e;
    add("result", false, `the draw cannot be recomputed: ${e.message}`);
    return checks;
  }
  add("seed", seed === revealed.seed, "the seed does not follow from the secret and inputs");
  add("quotas", deepEqual(draw.quotas, r.quotas), firstDifference(draw.quotas, r.quotas, "quotas"));
  add(
    "task count",
    r.tasks === draw.tasks.length && draw.tasks.length === revealed.tasks.length,
    `the receipt says ${r.tasks} tasks, the draw gives ${draw.tasks.length}, the list holds ${revealed.tasks.length}`,
  );
  const body = { tasks: draw.tasks };
  const got = { tasks: revealed.tasks };
  add("result", deepEqual(body, got), firstDifference(body, got));

  // 11. replacements
  const teams = structuredClone(draw.tasks);
  let n = 0;
  for (const record of revealed.replacements || []) {
    n += 1;
    let ok;
    let detail;
    try {
      const again = await replayReplacement({ parameters: r.parameters, pool: draw.pool, tasks: teams, seed, record });
      ok = deepEqual(again, record);
      detail = `expected ${JSON.stringify(again)}`;
    } catch (e) {
      if (!(e instanceof DrawError)) throw e;
      ok = false;
      detail = e.message;
    }
    add(`replacement ${n}`, ok, detail);
    skip(`replacement ${n} record`, "its reason, approver and note are as the operator recorded them; only the ledger can confirm them");
  }
  // 12. result digest
  add("result digest", (await sha256Hex(canonicalJson(got))) === r.result_digest, "the revealed list is not the list that was sealed");
  return checks;
}

async function checkAnnouncement(add, r, rawAnnouncement, sealedAt, schema) {
  const found = schemaProblems(schema, rawAnnouncement);
  if (found.length) {
    add("announcement", false, `not a valid randcheck-announcement v1: ${found.slice(0, 5).join("; ")}`);
    return null;
  }
  const a = plain(rawAnnouncement);
  let announcedAt;
  let expected;
  try {
    announcedAt = parseTime(a.announced_at, "announced_at");
    expected = parseTime(a.inputs.randomness.expected_at, "inputs.randomness");
  } catch (e) {
    add("announcement", false, e.message);
    return null;
  }
  if (expected <= announcedAt) {
    add("announcement", false, "the announcement was made after its randomness existed");
    return null;
  }
  const digest = await sha256Hex(canonicalJson(rawAnnouncement));
  if (r.announcement_digest !== digest) {
    add("announcement", false, `the receipt names announcement ${String(r.announcement_digest).slice(0, 16)}…, the one given is ${digest.slice(0, 16)}…`);
    return null;
  }
  const given = receiptInputs(r);
  for (const key of INPUT_KEYS) {
    const x = a.inputs[key] ?? null;
    const y = given[key];
    if (deepEqual(x, y)) continue;
    let field = key;
    if (kindOf(x) === "object" && kindOf(y) === "object") {
      const subs = [...Object.keys(x), ...Object.keys(y).filter((k) => !Object.hasOwn(x, k))];
      const sub = subs.find((s) => !deepEqual(x[s], y[s]));
      if (sub !== undefined) field = `${key}.${sub}`;
    }
    add("announcement", false, `the receipt's inputs are not the announced ones: ${field}: announced ${short(x)}, receipt ${short(y)}`);
    return null;
  }
  if (a.commitment !== r.commitment) {
    add("announcement", false, "the receipt's commitment is not the announced one");
    return null;
  }
  if (sealedAt < expected) {
    add("announcement", false, `sealed at ${r.sealed_at}, before the announced randomness existed (${a.inputs.randomness.expected_at})`);
    return null;
  }
  add("announcement", true);
  return expected;
}

/** True when no check failed and the whole chain was checked, up to the result digest
 * (a version-1 receipt, which carries no parameters, is never verified here). */
export function verified(checks) {
  return (
    checks.every((c) => c.status !== "failed") &&
    checks.some((c) => c.name === "result digest" && c.status === "passed")
  );
}

export function firstFailure(checks) {
  return checks.find((c) => c.status === "failed") || null;
}

// ---------------------------------------------------------------------------------------
// The JSON Schemas randcheck publishes (src/randcheck/data/*.schema.json), embedded so this
// file stands alone; the test suite checks they are the published ones.

// prettier-ignore
export const SCHEMAS = /* SCHEMAS-BEGIN */ {"receipt":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://randcheck.invalid/receipt.schema.json","title":"randcheck draw receipt, version 2","description":"A sealed or revealed record of one draw, with every input and policy parameter it rests on. Every byte is specified in docs/verification.md. Receipts of version 1 follow receipt-v1.schema.json.","type":"object","required":["format","version","algorithm","policy","period","jurisdiction","campaign","departments","expertise","capacity","registry_digest","history_digest","randomness","announcement_digest","parameters","commitment","public_randomness","quotas","tasks","result_digest","sealed_at","revealed"],"additionalProperties":false,"$defs":{"hex64":{"type":"string","pattern":"^[0-9a-f]{64}$"},"class":{"enum":["KEY","GENERAL","SPECIAL"]},"task":{"type":"object","required":["task_id","uscc","class","mode","rank","uncovered","due_now","team","recusals"],"additionalProperties":false,"properties":{"task_id":{"type":"string"},"uscc":{"type":"string","pattern":"^[0-9A-HJ-NPQRTUWXY]{18}$"},"class":{"$ref":"#/$defs/class"},"mode":{"enum":["ON_SITE","NON_SITE"]},"rank":{"type":"integer","minimum":1},"uncovered":{"type":"boolean"},"due_now":{"type":"boolean","description":"drawn because its coverage cycle needs it this quarter (level 1)"},"team":{"type":"array","items":{"type":"string"}},"recusals":{"type":"array","items":{"type":"object","required":["inspector_id","reason"],"properties":{"inspector_id":{"type":"string"},"reason":{"type":"string"}},"additionalProperties":false}}}},"replacement":{"type":"object","required":["task_id","removed","added","reason","method","approved_by"],"additionalProperties":false,"properties":{"task_id":{"type":"string"},"removed":{"type":"string"},"added":{"type":"string"},"reason":{"enum":["POST_CHANGE","WORK_CONFLICT","HEALTH","RECUSAL","OTHER"]},"method":{"enum":["drawn_again","chosen"]},"approved_by":{"type":["string","null"]},"note":{"type":"string"}}},"randomness":{"type":"object","required":["kind","source","expected_at"],"additionalProperties":false,"properties":{"kind":{"enum":["dice","lottery","beacon"]},"source":{"type":"string","minLength":3,"maxLength":300},"expected_at":{"type":"string","format":"date-time"}}}},"properties":{"format":{"const":"randcheck-receipt"},"version":{"type":"integer","const":2},"algorithm":{"type":"object","required":["draw","ranking","seed","commitment"],"properties":{"draw":{"const":"randcheck-draw-v2"},"ranking":{"const":"consistent-sampler-1.0.10:sha256:without-replacement"},"seed":{"const":"randcheck-seed-v1"},"commitment":{"const":"randcheck-commitment-v2"}},"additionalProperties":false},"policy":{"type":"object","required":["id","version","digest"],"additionalProperties":false,"properties":{"id":{"type":"string","minLength":1},"version":{"type":"string","minLength":1},"digest":{"$ref":"#/$defs/hex64"}}},"period":{"type":"string","pattern":"^[0-9]{4}Q[1-4]$"},"jurisdiction":{"type":["string","null"],"pattern":"^[0-9]{6}$"},"campaign":{"type":["object","null"]},"departments":{"type":"array","items":{"type":"string","minLength":1},"uniqueItems":true},"expertise":{"type":"array","items":{"type":"string","minLength":1},"uniqueItems":true},"capacity":{"type":["integer","null"],"minimum":1},"registry_digest":{"$ref":"#/$defs/hex64"},"history_digest":{"$ref":"#/$defs/hex64"},"randomness":{"type":["object","null"],"required":["kind","source","expected_at"],"additionalProperties":false,"properties":{"kind":{"enum":["dice","lottery","beacon"]},"source":{"type":"string","minLength":3,"maxLength":300},"expected_at":{"type":"string","format":"date-time"}}},"announcement_digest":{"type":["string","null"],"pattern":"^[0-9a-f]{64}$"},"parameters":{"type":"object","required":["effective_from","effective_until","rules"],"additionalProperties":false,"properties":{"effective_from":{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},"effective_until":{"type":["string","null"],"pattern":"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},"rules":{"type":"array","items":{"type":"object","required":["id","kind"]}}}},"commitment":{"$ref":"#/$defs/hex64"},"public_randomness":{"type":"string","pattern":"^[0-9a-f]{20,}$"},"quotas":{"type":"array","items":{"type":"object","required":["class","quota","required","capped","base","eligible","uncovered","terms","notes"],"properties":{"class":{"$ref":"#/$defs/class"},"quota":{"type":"integer","minimum":0},"required":{"type":"integer","minimum":0},"capped":{"type":"boolean"},"base":{"type":"integer","minimum":0},"eligible":{"type":"integer","minimum":0},"uncovered":{"type":"integer","minimum":0},"terms":{"type":"array","items":{"type":"object","required":["rule_id","clause","count","explanation"],"properties":{"rule_id":{"type":"string"},"clause":{"type":"string"},"count":{"type":"integer","minimum":0},"explanation":{"type":"string"}},"additionalProperties":false}},"notes":{"type":"array","items":{"type":"string"}}},"additionalProperties":false}},"tasks":{"type":"integer","minimum":0,"description":"how many tasks; sealed: no entity named"},"result_digest":{"$ref":"#/$defs/hex64"},"sealed_at":{"type":"string","format":"date-time"},"revealed":{"type":["object","null"],"required":["secret","seed","tasks"],"additionalProperties":false,"properties":{"secret":{"$ref":"#/$defs/hex64"},"seed":{"$ref":"#/$defs/hex64"},"tasks":{"type":"array","items":{"$ref":"#/$defs/task"}},"replacements":{"type":"array","items":{"$ref":"#/$defs/replacement"}}}}}},"receipt-v1":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://randcheck.invalid/receipt-v1.schema.json","title":"randcheck draw receipt, version 1 (receipts sealed by randcheck 0.1 and 0.2)","description":"A sealed or revealed record of one draw. See docs/verification.md.","type":"object","required":["format","version","algorithm","policy","period","jurisdiction","campaign","departments","expertise","registry_digest","history_digest","commitment","public_randomness","quotas","tasks","result_digest","sealed_at","revealed"],"additionalProperties":false,"$defs":{"hex64":{"type":"string","pattern":"^[0-9a-f]{64}$"},"class":{"enum":["KEY","GENERAL","SPECIAL"]},"task":{"type":"object","required":["task_id","uscc","class","mode","rank","uncovered","team","recusals"],"additionalProperties":false,"properties":{"task_id":{"type":"string"},"uscc":{"type":"string","pattern":"^[0-9A-HJ-NPQRTUWXY]{18}$"},"class":{"$ref":"#/$defs/class"},"mode":{"enum":["ON_SITE","NON_SITE"]},"rank":{"type":"integer","minimum":1},"uncovered":{"type":"boolean"},"due_now":{"type":"boolean","description":"draw v2: drawn because its coverage cycle needs it this quarter"},"team":{"type":"array","items":{"type":"string"}},"recusals":{"type":"array","items":{"type":"object","required":["inspector_id","reason"],"properties":{"inspector_id":{"type":"string"},"reason":{"type":"string"}},"additionalProperties":false}}}},"replacement":{"type":"object","required":["task_id","removed","added","reason","method","approved_by"],"additionalProperties":false,"properties":{"task_id":{"type":"string"},"removed":{"type":"string"},"added":{"type":"string"},"reason":{"enum":["POST_CHANGE","WORK_CONFLICT","HEALTH","RECUSAL","OTHER"]},"method":{"enum":["drawn_again","chosen"]},"approved_by":{"type":["string","null"]},"note":{"type":"string"}}}},"properties":{"format":{"const":"randcheck-receipt"},"version":{"type":"integer","const":1},"algorithm":{"type":"object","required":["draw","ranking","seed"],"properties":{"draw":{"enum":["randcheck-draw-v1","randcheck-draw-v2"]},"ranking":{"const":"consistent-sampler-1.0.10:sha256:without-replacement"},"seed":{"const":"randcheck-seed-v1"}},"additionalProperties":false},"policy":{"type":"object","required":["id","version"],"properties":{"id":{"type":"string"},"version":{"type":"string"}},"additionalProperties":false},"period":{"type":"string","pattern":"^[0-9]{4}Q[1-4]$"},"jurisdiction":{"type":["string","null"],"pattern":"^[0-9]{6}$"},"campaign":{"type":["object","null"]},"departments":{"type":"array","items":{"type":"string"}},"expertise":{"type":"array","items":{"type":"string"}},"registry_digest":{"$ref":"#/$defs/hex64"},"history_digest":{"$ref":"#/$defs/hex64"},"commitment":{"$ref":"#/$defs/hex64"},"public_randomness":{"type":"string","pattern":"^[0-9a-f]{20,}$"},"quotas":{"type":"array","items":{"type":"object","required":["class","quota","required","capped","base","eligible","uncovered","terms","notes"],"properties":{"class":{"$ref":"#/$defs/class"},"quota":{"type":"integer","minimum":0},"required":{"type":"integer","minimum":0},"capped":{"type":"boolean"},"base":{"type":"integer","minimum":0},"eligible":{"type":"integer","minimum":0},"uncovered":{"type":"integer","minimum":0},"terms":{"type":"array","items":{"type":"object","required":["rule_id","clause","count","explanation"],"properties":{"rule_id":{"type":"string"},"clause":{"type":"string"},"count":{"type":"integer","minimum":0},"explanation":{"type":"string"}},"additionalProperties":false}},"notes":{"type":"array","items":{"type":"string"}}},"additionalProperties":false}},"tasks":{"type":"integer","minimum":0,"description":"how many tasks; sealed: no entity named"},"result_digest":{"$ref":"#/$defs/hex64"},"sealed_at":{"type":"string","format":"date-time"},"revealed":{"type":["object","null"],"required":["secret","seed","tasks"],"additionalProperties":false,"properties":{"secret":{"$ref":"#/$defs/hex64"},"seed":{"$ref":"#/$defs/hex64"},"tasks":{"type":"array","items":{"$ref":"#/$defs/task"}},"replacements":{"type":"array","items":{"$ref":"#/$defs/replacement"}}}}}},"announcement":{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://randcheck.invalid/announcement.schema.json","title":"randcheck draw announcement, version 1","description":"What a bureau publishes before a draw: every input and the commitment binding them to the secret. See docs/verification.md.","type":"object","required":["format","version","inputs","commitment","announced_at","ledger_head"],"additionalProperties":false,"$defs":{"hex64":{"type":"string","pattern":"^[0-9a-f]{64}$"},"randomness":{"type":"object","required":["kind","source","expected_at"],"additionalProperties":false,"properties":{"kind":{"enum":["dice","lottery","beacon"]},"source":{"type":"string","minLength":3,"maxLength":300},"expected_at":{"type":"string","format":"date-time"}}}},"properties":{"format":{"const":"randcheck-announcement"},"version":{"type":"integer","const":1},"inputs":{"type":"object","additionalProperties":false,"required":["policy","period","jurisdiction","campaign","departments","expertise","capacity","registry_digest","history_digest","randomness"],"properties":{"policy":{"type":"object","required":["id","version","digest"],"additionalProperties":false,"properties":{"id":{"type":"string","minLength":1},"version":{"type":"string","minLength":1},"digest":{"$ref":"#/$defs/hex64"}}},"period":{"type":"string","pattern":"^[0-9]{4}Q[1-4]$"},"jurisdiction":{"type":["string","null"],"pattern":"^[0-9]{6}$"},"campaign":{"type":["object","null"]},"departments":{"type":"array","items":{"type":"string","minLength":1},"uniqueItems":true},"expertise":{"type":"array","items":{"type":"string","minLength":1},"uniqueItems":true},"capacity":{"type":["integer","null"],"minimum":1},"registry_digest":{"$ref":"#/$defs/hex64"},"history_digest":{"$ref":"#/$defs/hex64"},"randomness":{"$ref":"#/$defs/randomness"}}},"commitment":{"$ref":"#/$defs/hex64"},"announced_at":{"type":"string","format":"date-time"},"ledger_head":{"type":["object","null"],"required":["hash","events"],"additionalProperties":false,"properties":{"hash":{"$ref":"#/$defs/hex64"},"events":{"type":"integer","minimum":0}}}}}} /* SCHEMAS-END */;

// ---------------------------------------------------------------------------------------
// Command line (Node)

async function main(argv) {
  const fs = await import("node:fs");
  const usage = "usage: node verify.mjs RECEIPT REGISTRY.csv [--history FILE] [--announcement FILE] [--policy FILE]";
  const positional = [];
  const options = {};
  for (let n = 0; n < argv.length; n++) {
    const a = argv[n];
    if (["--history", "--announcement", "--policy"].includes(a)) {
      if (n + 1 >= argv.length) {
        console.error(usage);
        return 2;
      }
      options[a.slice(2)] = argv[++n];
    } else if (a === "-h" || a === "--help") {
      console.log(usage);
      return 0;
    } else positional.push(a);
  }
  if (positional.length !== 2) {
    console.error(usage);
    return 2;
  }
  const read = (file) => new Uint8Array(fs.readFileSync(file));
  let checks;
  try {
    const [receiptFile, registryFile] = positional;
    const stem = registryFile.replace(/\.csv$/i, "");
    const sidecar = (kind) => (fs.existsSync(`${stem}.${kind}.csv`) ? read(`${stem}.${kind}.csv`) : null);
    checks = await verifyReceipt({
      receipt: read(receiptFile),
      registry: { entities: read(registryFile), inspectors: sidecar("inspectors"), items: sidecar("items") },
      history: options.history ? read(options.history) : null,
      announcement: options.announcement ? read(options.announcement) : null,
      policy: options.policy ? read(options.policy) : null,
    });
  } catch (e) {
    if (e instanceof InputError || e.code === "ENOENT" || e.code === "EISDIR" || e.code === "EACCES") {
      console.error(`cannot read the input: ${e.message}`);
      return 2;
    }
    throw e;
  }
  for (const c of checks) {
    const mark = c.status === "passed" ? "ok  " : c.status === "failed" ? "FAIL" : "--  ";
    console.log(`${mark} ${c.name}${c.detail ? `: ${c.detail}` : ""}`);
  }
  const failure = firstFailure(checks);
  if (failure) {
    console.log(`NOT VERIFIED: ${failure.name}`);
    return 1;
  }
  if (!verified(checks)) {
    console.log("NOT VERIFIED: the list was not recomputed (see the checks not made)");
    return 1;
  }
  console.log("VERIFIED");
  return 0;
}

if (typeof process !== "undefined" && process.versions?.node && process.argv[1]) {
  const { pathToFileURL } = await import("node:url");
  const { realpathSync } = await import("node:fs");
  let invoked = null;
  try {
    invoked = pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    invoked = null;
  }
  if (invoked === import.meta.url) {
    process.exitCode = await main(process.argv.slice(2));
  }
}
