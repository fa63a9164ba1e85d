// The cache decision alone, against a real cache store in a temporary directory: a hit, a
// miss and its reason (no entry, changed parts, entry gone, --from, write-only), a corrupt
// record, and policy `never`. The run and the dry run both decide through it.
import { assert, assertEquals } from "../_assert.ts";
import { decideCache, missDecision } from "../../src/run/cache_decision.ts";
import { CacheStore } from "../../src/cache/store.ts";
import { valueDigest } from "../../src/cache/key.ts";
import type { LockStep } from "../../src/schema/lock.ts";

function step(policy = "auto", extra: Record<string, unknown> = {}): LockStep {
  return {
    id: "train",
    uses: "shell",
    inputs: { rate: { type: "float" } },
    cache: {
      policy,
      inputs: ["rate"],
      pins: [],
      formula: "v1",
      static: "sha256:static",
      components: { command: "sha256:cmd" },
    },
    ...extra,
  } as unknown as LockStep;
}

const lock = { registry_pins: { binaries: {} } } as never;
const input = (value: number) => ({ rate: { type: "float", value, digest: valueDigest(value) } });

async function withCache(fn: (cache: CacheStore, dir: string) => Promise<void> | void) {
  const dir = await Deno.makeTempDir();
  const cache = new CacheStore(`${dir}/cache`);
  try {
    await fn(cache, dir);
  } finally {
    cache.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a stored entry is a hit; another input value is a miss that names what changed", async () => {
  await withCache(async (cache, dir) => {
    const context = { lock, cache, stepIndex: {}, forced: new Set<string>() };
    const first = decideCache(step(), input(0.1), context);
    assertEquals(first.decision, "miss");
    if (first.decision !== "miss") return;
    assertEquals([first.reason, first.brief], ["no entry for this step yet", "no entry yet"]);
    const created = new Date().toISOString();
    await cache.store({ key: first.key, step: "train", created, outputs: {} }, dir);
    const stepIndex = { train: { key: first.key, parts: first.parts, at: created } };
    const again = decideCache(step(), input(0.1), { ...context, stepIndex });
    assertEquals(again.decision, "hit");
    const changed = decideCache(step(), input(0.2), { ...context, stepIndex });
    assert(changed.decision === "miss");
    assertEquals(changed.changed, ["input `rate`"]);
    assertEquals(changed.reason, "changed since the last entry: input `rate`");
    assertEquals(changed.brief, "changed: input `rate`");
  });
});

Deno.test("--from and write-only never read the cache, and say so", async () => {
  await withCache(async (cache, dir) => {
    const context = { lock, cache, stepIndex: {}, forced: new Set<string>() };
    const miss = decideCache(step(), input(1), context);
    assert(miss.decision === "miss");
    await cache.store({ key: miss.key, step: "train", created: "t", outputs: {} }, dir);
    const forced = decideCache(step(), input(1), {
      ...context,
      forced: new Set(["train"]),
      from: "train",
    });
    assert(forced.decision === "miss");
    assertEquals(forced.reason, "re-run requested (--from train)");
    const writeOnly = decideCache(step("write-only"), input(1), context);
    assert(writeOnly.decision === "miss");
    assertEquals(writeOnly.reason, "cache policy `write-only`: entries are written, never read");
    assertEquals(decideCache(step("read-only"), input(1), context).decision, "hit");
  });
});

Deno.test("the same key with no usable entry is 'gone'; a corrupt record is flagged", async () => {
  await withCache((cache) => {
    const context = { lock, cache, stepIndex: {}, forced: new Set<string>() };
    const miss = decideCache(step(), input(3), context);
    assert(miss.decision === "miss");
    const stepIndex = { train: { key: miss.key, parts: miss.parts, at: "t" } };
    const gone = missDecision(step(), miss, { ...context, stepIndex });
    assertEquals([gone.reason, gone.brief], [
      "the entry for this key is gone (purged or corrupt)",
      "entry gone",
    ]);
    const corrupt = decideCache(step(), input(3), {
      ...context,
      cache: { lookup: () => ({ hit: false, corrupt: "bad mac" }) },
    });
    assert(corrupt.decision === "miss");
    assertEquals(corrupt.corrupt, "bad mac");
  });
});

Deno.test("policy never is disabled, with why (a step that receives a secret)", () => {
  const cache = { lookup: () => ({ hit: false as const }) };
  const context = { lock, cache, stepIndex: {}, forced: new Set<string>() };
  const plain = decideCache(step("never"), {}, context);
  assertEquals(plain, { decision: "disabled", reason: "cache policy `never`" });
  const secret = decideCache(
    step("never", { inputs: { token: { type: "secret" } } }),
    {},
    context,
  );
  assert(secret.decision === "disabled" && /receives a secret/.test(secret.reason));
});
