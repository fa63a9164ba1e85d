// Run as its own process by locate_test.ts: reads a span's position without anyone having
// awaited ensureLocator() (a fresh module graph), and prints it.
import { parseSource } from "../../src/source/load.ts";
import { lazyLocate } from "../../src/source/locate.ts";

const doc = parseSource("early.yaml", "a: 1\nb:\n  c: [x, y]\n");
const span = lazyLocate(doc.data, ["b", "c", 1]);
console.log(JSON.stringify({ line: span.line, col: span.col, ...span }));
