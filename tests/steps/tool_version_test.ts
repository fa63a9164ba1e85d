// Version constraints of declared tools: the comparators, alternatives, prefix matches, and the
// version found in a probe's output (Debian's `5.1.6-0+deb12u1` is 5.1.6).
import { assert, assertEquals } from "../_assert.ts";
import {
  compareVersions,
  parseConstraint,
  satisfies,
  versionIn,
} from "../../src/steps/tool_version.ts";

function meets(version: string, constraint: string): boolean {
  const parsed = parseConstraint(constraint);
  if (typeof parsed === "string") throw new Error(parsed);
  return satisfies(version, parsed);
}

Deno.test("tool versions: each comparator, as a table", () => {
  const table: [string, string, boolean][] = [
    ["5.1.6", ">=5.1", true],
    ["5.0.9", ">=5.1", false],
    ["5.1", ">5.1", false],
    ["5.1.1", ">5.1", true],
    ["8.0", "<8", false],
    ["7.99", "<8", true],
    ["7", "<=7.0.0", true],
    ["6.1.1", "=6.1.1", true],
    ["6.1.2", "=6.1.1", false],
    ["6.9", "^6.1", true],
    ["7.0", "^6.1", false],
    ["6.0", "^6.1", false],
    ["6.1.9", "~6.1", true],
    ["6.2", "~6.1", false],
    ["6.1.3", "6.1", true],
    ["6.10", "6.1", false],
    ["6.4", "6.x", true],
    ["5.1.6", ">=5 <6", true],
    ["6.0", ">=5 <6", false],
    ["9.3", ">=5 <6 || ^9.2", true],
    ["5.1.6", ">= 5.1 < 8", true],
  ];
  for (const [version, constraint, expected] of table) {
    assertEquals(meets(version, constraint), expected, `${version} ${constraint}`);
  }
});

Deno.test("tool versions: malformed constraints are refused with the offending word", () => {
  assertEquals(
    parseConstraint(">=5 <<8"),
    "`<<8` is not a comparator (write `>=5.1`, `<8`, `^6`, `~6.1` or `6.1`)",
  );
  assert(typeof parseConstraint("5 ||") === "string");
  assert(typeof parseConstraint("latest") === "string");
  assert(typeof parseConstraint("") === "string");
});

Deno.test("tool versions: compared part by part, numerically, missing parts are 0", () => {
  assertEquals(compareVersions([5, 10], [5, 9]), 1);
  assertEquals(compareVersions([5], [5, 0, 0]), 0);
  assertEquals(compareVersions([4, 99], [5]), -1);
});

Deno.test("tool versions: found in a probe's first line by the default or a declared pattern", () => {
  const line = "ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers";
  assertEquals(versionIn(line), "5.1.6");
  assertEquals(versionIn("Python 3.11.2"), "3.11.2");
  assertEquals(versionIn("tool r42 (build 2024.1)", String.raw`r(\d+)`), "42");
  assertEquals(versionIn("no digits here"), undefined);
});
