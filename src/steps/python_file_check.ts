/**
 * A `python` step's `with.file` must exist when the workflow is composed: a typo
 * (`scripts/reprot.py`) would otherwise compose, lock and fail only at run as a missing input.
 * The error points at the `file:` value and suggests the closest `.py` file of the project.
 * @module
 */
import { join, normalize, relative } from "node:path";
import { didYouMean, LilyError } from "../errors.ts";
import type { Petal } from "../schema/petal.ts";
import { lazyLocate } from "../source/locate.ts";

/** How many `.py` files the did-you-mean looks at, at most (a huge tree is not walked). */
const MAX_CANDIDATES = 2000;
/** How deep below the project root the did-you-mean looks. */
const MAX_DEPTH = 4;

/** LILY-E0679 for each top-level python step whose `with.file` is not a file of the project. */
export function pythonFileErrors(petal: Petal, raw: unknown, root: string): LilyError[] {
  const errors: LilyError[] = [];
  let candidates: string[] | undefined;
  for (const list of ["steps", "on_error"] as const) {
    (petal[list] ?? []).forEach((step, index) => {
      if (step.uses !== "python") return;
      const file = (step.with as Record<string, unknown> | undefined)?.file;
      if (typeof file !== "string" || file === "") return;
      let isFile = false;
      try {
        isFile = Deno.statSync(join(root, file)).isFile;
      } catch {
        // absent or unreadable: refused below
      }
      if (isFile) return;
      candidates ??= pythonFiles(root);
      const near = didYouMean(normalize(file), candidates);
      errors.push(
        new LilyError(
          "LILY-E0679",
          `\`with.file\` of python step \`${step.id}\`: ${file} is not a file of the project`,
          {
            span: lazyLocate(raw, [list, index, "with", "file"]),
            label: "no such file",
            hint: near
              ? `did you mean \`${near}\`?`
              : "name a Python file relative to the project root, e.g. `file: scripts/train.py`",
          },
        ),
      );
    });
  }
  return errors;
}

/** The project's `.py` files (relative paths), skipping hidden directories and node_modules. */
function pythonFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= MAX_CANDIDATES) return;
      const path = join(dir, e.name);
      if (e.isFile && e.name.endsWith(".py")) out.push(relative(root, path));
      else if (
        e.isDirectory && depth < MAX_DEPTH && !e.name.startsWith(".") &&
        e.name !== "node_modules" && e.name !== "__pycache__"
      ) walk(path, depth + 1);
    }
  };
  walk(root, 0);
  return out.sort();
}
