/**
 * Reads a lock file: fast YAML parse (js-yaml, the lock is plain data), then validation with
 * the LockFile model. A truncated or edited lock is a clear error, never a crash.
 * @module
 */
import jsyaml from "js-yaml";
import { LilyError } from "../errors.ts";
import { LockFile } from "../schema/lock.ts";

/**
 * Reads and validates the lock at `path`.
 *
 * @example
 * ```ts ignore
 * import { readLockFile } from "./read.ts";
 * const lock = await readLockFile("locks/hello.petal.lock.yaml");
 * ```
 */
export async function readLockFile(path: string): Promise<LockFile> {
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
  return parseLockText(path, text);
}

/** Parses and validates lock text (see {@linkcode readLockFile}). */
export function parseLockText(path: string, text: string): LockFile {
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
    const issue = result.error.issues[0];
    const field = issue.path.map(String).join(".") || "(top level)";
    const line = lineOf(text, issue.path);
    throw new LilyError(
      "LILY-E0702",
      `\`${path}\` is not a valid lock file: \`${field}\`: ${issue.message}`,
      {
        span: { file: path, line, col: 1 },
        hint: "the file may be truncated or edited by hand; run `lily compose` again",
      },
    );
  }
  return result.data;
}

/** Best-effort line of a path in canonical lock text (its last named key). */
function lineOf(text: string, path: PropertyKey[]): number {
  const key = [...path].reverse().find((p) => typeof p === "string") as string | undefined;
  if (!key) return 1;
  const lines = text.split("\n");
  const index = lines.findIndex((l) => new RegExp(`^\\s*(- )?"?${key}"?:`).test(l));
  return index >= 0 ? index + 1 : 1;
}
