// Run as its own process by locate_test.ts: reads a span's position without anyone having
// awaited ensureLocator() (a fresh module graph), and prints it.
import { parseSource } from "../../src/source/load.ts";
import { lazyLocate } from "../../src/source/locate.ts";

const doc = parseSource("early.yaml", "a: 1\nb:\n  c: [x, y]\n");
const span = lazyLocate(doc.data, ["b", "c", 1]);
// Reading `line` resolves the span (as a sort by position would); then every field is shown.
if (span.line < 1) throw new Error("no position");
console.log(JSON.stringify({ ...span }));
