// matrix → combinations, against the examples of GitHub Actions' documentation ("Running
// variations of jobs in a workflow": docs.github.com/en/actions/writing-workflows/
// choosing-what-your-workflow-does/running-variations-of-jobs-in-a-workflow).
import { assertEquals } from "../_assert.ts";
import { type Combination, matrixCombinations } from "../../src/steps/foreach_matrix.ts";

function combos(matrix: unknown): Combination[] {
  const out = matrixCombinations(matrix);
  if (!("combinations" in out)) throw new Error(JSON.stringify(out.problems));
  return out.combinations;
}

Deno.test("the product: the first axis varies slowest (GitHub's version × os order)", () => {
  assertEquals(combos({ version: [10, 12, 14], os: ["ubuntu-latest", "windows-latest"] }), [
    { version: 10, os: "ubuntu-latest" },
    { version: 10, os: "windows-latest" },
    { version: 12, os: "ubuntu-latest" },
    { version: 12, os: "windows-latest" },
    { version: 14, os: "ubuntu-latest" },
    { version: 14, os: "windows-latest" },
  ]);
});

Deno.test("include: GitHub's fruit/animal example, entry by entry as documented", () => {
  // "original matrix values will not be overwritten, but added matrix values can be":
  // {color: pink, animal: cat} overwrites the green added by the first entry, only for cats;
  // {fruit: apple, shape: circle} extends both apples; both bananas become new combinations.
  assertEquals(
    combos({
      fruit: ["apple", "pear"],
      animal: ["cat", "dog"],
      include: [
        { color: "green" },
        { color: "pink", animal: "cat" },
        { fruit: "apple", shape: "circle" },
        { fruit: "banana" },
        { fruit: "banana", animal: "cat" },
      ],
    }),
    [
      { fruit: "apple", animal: "cat", color: "pink", shape: "circle" },
      { fruit: "apple", animal: "dog", color: "green", shape: "circle" },
      { fruit: "pear", animal: "cat", color: "pink" },
      { fruit: "pear", animal: "dog", color: "green" },
      { fruit: "banana" },
      { fruit: "banana", animal: "cat" },
    ],
  );
});

Deno.test("include: GitHub's 'expanding configurations' example (npm 6 only on windows/16)", () => {
  const out = combos({
    os: ["windows-latest", "ubuntu-latest"],
    node: [14, 16],
    include: [{ os: "windows-latest", node: 16, npm: 6 }],
  });
  assertEquals(out.length, 4);
  assertEquals(out.filter((c) => c.npm === 6), [{ os: "windows-latest", node: 16, npm: 6 }]);
});

Deno.test("include: GitHub's 'adding configurations' example (node 20 added; one extended)", () => {
  assertEquals(
    combos({
      os: ["windows-latest", "ubuntu-latest"],
      node: [14, 16],
      include: [
        { os: "windows-latest", node: 16, npm: 6 },
        { os: "ubuntu-latest", node: 20 },
      ],
    }).map((c) => `${c.os}/${c.node}${c.npm ? `/npm${c.npm}` : ""}`),
    [
      "windows-latest/14",
      "windows-latest/16/npm6",
      "ubuntu-latest/14",
      "ubuntu-latest/16",
      "ubuntu-latest/20",
    ],
  );
});

Deno.test("include only: each entry is a combination (GitHub's site/datacenter example)", () => {
  assertEquals(
    combos({
      include: [
        { site: "production", datacenter: "site-a" },
        { site: "staging", datacenter: "site-b" },
      ],
    }),
    [
      { site: "production", datacenter: "site-a" },
      { site: "staging", datacenter: "site-b" },
    ],
  );
});

Deno.test("exclude: GitHub's os/version/environment example leaves 9 of 12; partial entries", () => {
  const out = combos({
    os: ["macos-latest", "windows-latest"],
    version: [12, 14, 16],
    environment: ["staging", "production"],
    exclude: [
      { os: "macos-latest", version: 12, environment: "production" },
      { os: "windows-latest", version: 16 },
    ],
  });
  assertEquals(out.length, 9);
  assertEquals(
    out.some((c) => c.os === "macos-latest" && c.version === 12 && c.environment === "production"),
    false,
  );
  assertEquals(out.some((c) => c.os === "windows-latest" && c.version === 16), false);
});

Deno.test("excludes apply before includes: an include can add back an excluded combination", () => {
  assertEquals(
    combos({ a: [1, 2], exclude: [{ a: 2 }], include: [{ a: 2, extra: true }] }),
    [{ a: 1 }, { a: 2, extra: true }],
  );
});

Deno.test("bad matrices are problems with the path of the bad part", () => {
  const out = matrixCombinations({ os: [], include: "x", exclude: [{ nope: 1 }] });
  if (!("problems" in out)) throw new Error("expected problems");
  assertEquals(out.problems.map((p) => p.path), [["os"], ["include"], ["exclude", 0, "nope"]]);
  assertEquals("problems" in matrixCombinations({}), true);
  assertEquals("problems" in matrixCombinations([1]), true);
});
