/**
 * Reads a lock file: fast YAML parse (js-yaml, the lock is plain data), then validation with
 * the LockFile model. A truncated or edited lock is a clear error, never a crash.
 * @module
 */
import type jsyamlModule from "js-yaml";
import { LilyError, LilyErrors, type Span } from "../errors.ts";
import type { LockFile as LockFileSchema } from "../schema/lock.ts";

import { specHashOf } from "./spec_hash.ts";
import { canonicalDigest } from "../util/canonical_digest.ts";
import { keyFile } from "../util/secret_key.ts";

type LockFile = import("../schema/lock.ts").LockFile;

let parsers: {
  jsyaml: typeof jsyamlModule;
  LockFile: typeof LockFileSchema;
  unsupportedErrors: typeof import("../steps/support.ts").unsupportedErrors;
} | undefined;

/** Loads the YAML parser and the lock model (not needed when a compiled lock is found). */
export async function loadLockParsers(): Promise<void> {
  if (parsers) return;
  // The kind and adapter lists come with the Petal model (zod) too: a compiled lock needs none.
  const [{ default: jsyaml }, { LockFile }, { unsupportedErrors }] = await Promise.all([
    import("js-yaml"),
    import("../schema/lock.ts"),
    import("../steps/support.ts"),
  ]);
  parsers = { jsyaml, LockFile, unsupportedErrors };
}

/**
 * Reads and validates the lock at `path`.
 *
 * @example
 * ```ts ignore
 * import { readLockFile } from "./read.ts";
 * const lock = await readLockFile("locks/hello.petal.lock.yaml");
 * ```
 */
export async function readLockFile(path: string, options: ReadLockOptions = {}): Promise<LockFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new LilyError("LILY-E0701", `lock file \`${path}\` does not exist`, {
        hint: "create it with `lily compose <flow.petal>`",
      });
    }
    throw new LilyError("LILY-E0701", `cannot read \`${path}\`: ${(error as Error).message}`);
  }
  if (!options.compiled) {
    await loadLockParsers();
    return checkSpecHash(path, text, parseLockText(path, text));
  }
  // A lock already validated is kept as JSON, keyed by the sha256 of its bytes: JSON.parse
  // of 1000 steps takes ~5 ms where YAML + validation take ~90 ms (and leave garbage).
  // The user cache is not trusted blindly: an entry carries an HMAC (a per-user key beside
  // it) over the text's digest and the lock, and its plan must hash to its `spec_hash`; an
  // entry that fails either check is a miss and is rewritten.
  const { createHash } = await import("node:crypto");
  const key = createHash("sha256").update(text).digest("hex");
  const compiled = `${options.compiled}/${key}.json`;
  const secret = compiledKey(options.compiled);
  try {
    const lock = await openCompiled(await Deno.readTextFile(compiled), key, secret);
    // Re-hashed in pieces: the same digest without the plan's whole canonical text in memory.
    if (lock && specHashOf(lock, canonicalDigest) === lock.spec_hash) return lock;
  } catch {
    // missing or corrupt: a miss
  }
  await loadLockParsers();
  const lock = checkSpecHash(path, text, parseLockText(path, text));
  if (!secret) return lock;
  try {
    await Deno.mkdir(options.compiled, { recursive: true });
    const temp = `${compiled}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    const body = JSON.stringify(lock);
    const mac = await compiledMac(secret, key, body);
    // The same JSON document as `{text, mac, lock}`, written so that the lock's own text can
    // be cut out again and MACed as bytes (see openCompiled).
    await Deno.writeTextFile(temp, `{"text":"${key}","mac":"${mac}","lock":${body}}`);
    await Deno.rename(temp, compiled);
  } catch {
    // a read-only cache only costs speed
  }
  return lock;
}

/**
 * A compiled lock as stored: one JSON object `{"text": <sha256 of the lock's text>, "mac":
 * <HMAC>, "lock": <the lock>}`, the lock last. The HMAC covers the digest and the lock's JSON
 * text exactly as written, so checking it hashes bytes instead of canonicalizing the parsed
 * lock (38 ms for 1000 steps; scripts/bench/README.md). Returns the lock when the entry is for
 * `textDigest` and its HMAC holds, else undefined.
 */
async function openCompiled(
  file: string,
  textDigest: string,
  secret: string | undefined,
): Promise<LockFile | undefined> {
  if (!secret) return undefined;
  const head = /^\{"text":"([0-9a-f]{64})","mac":"([0-9a-f]{64})","lock":/.exec(file);
  if (!head || head[1] !== textDigest || !file.endsWith("}")) return undefined;
  const body = file.slice(head[0].length, -1);
  const mac = await compiledMac(secret, textDigest, body);
  return timingSafeEqualHex(head[2], mac) ? JSON.parse(body) as LockFile : undefined;
}

/**
 * The per-user key of the compiled-lock cache (`<dir>/.key`, mode 0600, created on first use),
 * or undefined when it cannot be read or made (then the cache is not used).
 */
function compiledKey(dir: string): string | undefined {
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return keyFile(`${dir}/.key`);
  } catch {
    return undefined;
  }
}

async function compiledMac(secret: string, textDigest: string, body: string): Promise<string> {
  const { hmacSha256 } = await import("../util/hmac.ts");
  return hmacSha256(secret)(textDigest, "\u0000", body);
}

function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Options for {@linkcode readLockFile}. */
export interface ReadLockOptions {
  /** A directory for validated locks as JSON (see {@linkcode compiledLockDir}). */
  compiled?: string;
}

/** The user-level directory of compiled locks (`$XDG_CACHE_HOME/lily/locks`). */
export function compiledLockDir(): string | undefined {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (xdg) return `${xdg}/lily/locks`;
  return home ? `${home}/.cache/lily/locks` : undefined;
}

/** Parses and validates lock text (await {@linkcode loadLockParsers} first). */
export function parseLockText(path: string, text: string): LockFile {
  if (!parsers) throw new Error("internal: `await loadLockParsers()` before parseLockText");
  const { jsyaml, LockFile, unsupportedErrors } = parsers;
  let data: unknown;
  try {
    data = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
  } catch (error) {
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    throw new LilyError("LILY-E0702", `\`${path}\` is not a valid lock file: broken YAML`, {
      span: { file: path, line: (mark?.line ?? 0) + 1, col: (mark?.column ?? 0) + 1 },
      hint: "the file may be truncated or edited by hand; run `lily compose` again",
    });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new LilyError("LILY-E0702", `\`${path}\` is not a lock file`, {
      span: { file: path, line: 1, col: 1 },
      hint: "pass a file written by `lily compose` (…lock.yaml)",
    });
  }
  const version = (data as Record<string, unknown>).schema_version;
  if (version !== undefined && version !== "1") {
    throw new LilyError(
      "LILY-E0703",
      `lock schema version \`${String(version)}\` is not supported`,
      {
        span: { file: path, line: 1, col: 1 },
        hint: "this Lily reads lock schema 1; compose the lock again with this version",
      },
    );
  }
  const result = LockFile.safeParse(data);
  if (!result.success) {
    // Every problem, each at its best-effort line: a hand edit rarely breaks just one field.
    const errors = result.error.issues.slice(0, 50).map((issue) => {
      const field = issue.path.map(String).join(".") || "(top level)";
      return new LilyError(
        "LILY-E0702",
        `\`${path}\` is not a valid lock file: \`${field}\`: ${issue.message}`,
        {
          span: issueSpan(path, text, data, issue.path),
          hint: "the file may be truncated or edited by hand; run `lily compose` again",
        },
      );
    });
    throw errors.length === 1 ? errors[0] : new LilyErrors(errors);
  }
  // A lock edited by hand may name a kind or adapter this version cannot run: refuse it here,
  // where its position is known, not in the middle of a run.
  const unsupported = [...result.data.plan.steps, ...result.data.plan.on_error].flatMap((step) =>
    unsupportedErrors(step, step.id, (field) => spanOfStepField(path, text, step.id, field))
  );
  if (unsupported.length) throw new LilyErrors(unsupported);
  return result.data;
}

/** Where an issue at `issuePath` is: a plan step's field by its step id, else a best guess. */
function issueSpan(path: string, text: string, data: unknown, issuePath: PropertyKey[]): Span {
  const [top, group, index, field] = issuePath;
  if (
    top === "plan" && (group === "steps" || group === "on_error") && typeof index === "number" &&
    typeof field === "string"
  ) {
    const plan = (data as { plan?: Record<string, unknown> }).plan;
    const step = (plan?.[group] as { id?: unknown }[] | undefined)?.[index];
    if (typeof step?.id === "string") return spanOfStepField(path, text, step.id, field);
  }
  return { file: path, line: lineOf(text, issuePath), col: 1 };
}

/** Where `field` of the plan step whose id is `id` is, in canonical lock text. */
function spanOfStepField(path: string, text: string, id: string, field: string): Span {
  const lines = text.split("\n");
  const idLine = lines.findIndex((l) =>
    /^ {4}- id: /.test(l) && l.slice(10).replace(/"/g, "") === id
  );
  if (idLine < 0) return { file: path, line: 1, col: 1 };
  for (let i = idLine + 1; i < lines.length && !/^ {0,4}\S|^ {4}- /.test(lines[i]); i++) {
    if (lines[i].startsWith(`      ${field}:`)) {
      const value = lines[i].slice(field.length + 8);
      return { file: path, line: i + 1, col: field.length + 9, length: Math.max(1, value.length) };
    }
  }
  return { file: path, line: idLine + 1, col: 7, length: 2 };
}

/** Best-effort line of a path in canonical lock text (its last named key). */
function lineOf(text: string, path: PropertyKey[]): number {
  const key = [...path].reverse().find((p) => typeof p === "string") as string | undefined;
  if (!key) return 1;
  const lines = text.split("\n");
  const index = lines.findIndex((l) => new RegExp(`^\\s*(- )?"?${key}"?:`).test(l));
  return index >= 0 ? index + 1 : 1;
}

/**
 * Refuses a lock whose content does not hash to its `spec_hash` (LILY-E0870).
 */
function checkSpecHash(path: string, text: string, lock: LockFile): LockFile {
  // The plan is what runs: a lock edited after compose (a step, a user) keeps its old
  // `spec_hash` field, so the field is never trusted, it is recomputed.
  const actual = specHashOf(lock);
  if (actual !== lock.spec_hash) {
    const flow = lock.provenance.sources.find((s) => s.role === "flow")?.path;
    throw new LilyError(
      "LILY-E0870",
      `\`${path}\` was edited after compose: its content hashes to ${
        actual.slice(0, 19)
      }…, not to its \`spec_hash\` ${lock.spec_hash.slice(0, 19)}…`,
      {
        span: { file: path, line: lineOf(text, ["spec_hash"]), col: 1 },
        hint: `a lock is written by Lily only: regenerate it with \`lily compose ${
          flow ?? "<flow.petal>"
        }\` (and review what changed it)`,
      },
    );
  }
  return lock;
}
