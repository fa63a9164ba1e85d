/**
 * Keeps Deno's module cache warm for sandbox hosts. A host sees that cache read-only (a step
 * must not be able to plant code that later hosts would run), so it cannot fill it: when the
 * host's modules are not compiled there yet, every host compiles them in memory (≈ 180 ms a
 * host instead of ≈ 25 ms). The engine runs the host once, unsandboxed and with no
 * permissions, to fill the cache — only when Lily's sources or Deno changed since the last
 * time (a marker file per version).
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The files a host loads (its module graph: host_main.ts and what it imports). */
function hostFiles(src: string): string[] {
  const out = ["sandbox/host_main.ts", "sandbox/execute.ts", "sandbox/protocol.ts"]
    .concat(["sandbox/proxy.ts", "util/paths.ts"])
    .map((f) => join(src, f));
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts")) out.push(path);
    }
  };
  walk(join(src, "shell"));
  return out;
}

let warmed: Promise<void> | undefined;

/** Fills Deno's cache with the host's modules if they may not be there (once per process). */
export function warmHostModules(cacheDir: string | undefined): Promise<void> {
  return warmed ??= warm(cacheDir);
}

async function warm(cacheDir: string | undefined): Promise<void> {
  const entry = new URL("./host_main.ts", import.meta.url);
  if (Deno.build.standalone || entry.protocol !== "file:" || !cacheDir) return;
  const src = dirname(dirname(fileURLToPath(entry)));
  let stamp = Deno.version.deno;
  try {
    for (const file of hostFiles(src)) {
      const info = Deno.statSync(file);
      stamp += `|${file}:${info.size}:${info.mtime?.getTime()}`;
    }
  } catch {
    return; // not a checkout we can read: nothing to warm
  }
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(stamp)),
  );
  const name = [...digest.slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const marker = join(cacheDir, "host-warm", name);
  try {
    Deno.statSync(marker);
    return;
  } catch {
    // not warm yet
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--no-lock", "--no-prompt", "--quiet", entry.href],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  if (!out.success) return;
  try {
    Deno.mkdirSync(dirname(marker), { recursive: true });
    Deno.writeTextFileSync(marker, "");
  } catch {
    // a read-only cache only costs speed
  }
}
