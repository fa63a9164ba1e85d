/**
 * Test helpers for components a machine may lack (podman, unshare, zsh…). Locally a missing
 * component skips the test with a loud reason; under CI=true it fails instead.
 * @module
 */

const found = new Map<string, boolean>();

/** True when `name` runs on this machine (`name --version` or `which name`). */
export function hasTool(name: string): boolean {
  let ok = found.get(name);
  if (ok === undefined) {
    try {
      ok = new Deno.Command("sh", {
        args: ["-c", `command -v ${name}`],
        stdout: "null",
        stderr: "null",
      })
        .outputSync().success;
    } catch {
      ok = false;
    }
    found.set(name, ok);
  }
  return ok;
}

/**
 * `ignore` value for Deno.test: false when every tool is present; otherwise prints why the
 * test is skipped, or, under CI=true, returns false so the test runs and fails loudly.
 */
export function skipUnless(...tools: string[]): boolean {
  const missing = tools.filter((t) => !hasTool(t));
  if (missing.length === 0) return false;
  if (Deno.env.get("CI") === "true") return false;
  console.warn(
    `SKIP: needs ${missing.join(", ")}, not found on this machine (fails under CI=true)`,
  );
  return true;
}

let cachedDenoDir: string | undefined;

/**
 * Deno's own cache directory. Tests isolate Lily's caches with XDG_CACHE_HOME, which Deno also
 * reads: passing DENO_DIR keeps Deno on its shared cache (no npm download per test project).
 */
export function denoDir(): string {
  if (cachedDenoDir) return cachedDenoDir;
  const fromEnv = Deno.env.get("DENO_DIR");
  if (fromEnv) return cachedDenoDir = fromEnv;
  const out = new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .outputSync();
  return cachedDenoDir = JSON.parse(new TextDecoder().decode(out.stdout)).denoDir as string;
}

/** Runs the real CLI as a subprocess. */
export async function lily(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const mod = new URL("../mod.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", mod, ...args],
    cwd: options.cwd,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1", DENO_DIR: denoDir(), ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** A fresh temporary project directory (removed by the caller with `Deno.remove(dir, {recursive: true})`). */
export async function tempProject(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lily-test-" });
  for (const [path, text] of Object.entries(files)) {
    const full = `${dir}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, text);
  }
  return dir;
}
