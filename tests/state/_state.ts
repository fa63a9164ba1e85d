/** Helpers for the state attack tests: a project beside an `OUTSIDE` directory. */
import { lily } from "../_tools.ts";

/** A project at `<base>/proj` (composed from `flow.petal`) and an empty `<base>/OUTSIDE`. */
export async function projectBeside(
  files: Record<string, string>,
  params: string[] = [],
): Promise<{ base: string; dir: string; outside: string }> {
  const base = await Deno.makeTempDir({ prefix: "lily-state-" });
  const dir = `${base}/proj`;
  const outside = `${base}/OUTSIDE`;
  await Deno.mkdir(outside, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    const full = `${dir}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, text);
  }
  const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", "-q", ...params], {
    cwd: dir,
  });
  if (out.code !== 0) throw new Error(`compose failed:\n${out.stderr}`);
  return { base, dir, outside };
}

/** `lily run flow.lock.yaml` with the test's user cache and extra environment. */
export function runIn(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  return lily(["run", "flow.lock.yaml", ...args], {
    cwd: dir,
    env: { XDG_CACHE_HOME: `${dir}/.xdg`, ...env },
  });
}

/** Whether a path exists (without following a final link). */
export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Every file's bytes under a directory, concatenated as text (to search for a secret). */
export function allText(dir: string): string {
  let text = "";
  const walk = (d: string) => {
    let entries: Deno.DirEntry[] = [];
    try {
      entries = [...Deno.readDirSync(d)];
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory) walk(`${d}/${e.name}`);
      else if (e.isFile) text += Deno.readTextFileSync(`${d}/${e.name}`) + "\n";
    }
  };
  walk(dir);
  return text;
}
