/**
 * Container images for the docker tests, built offline (no registry is reachable here) with
 * `podman import` of a root file system made from this machine's files: `busybox` (a static
 * busybox and its applet links) and `python` (busybox plus the host's python3, its shared
 * libraries and its standard library). Each image is tagged by the digest of its tar, so it is
 * built once per content (a second test run finds it) and a change of the host's files gives
 * a new tag. `scripts/setup.sh` installs podman and busybox-static.
 * @module
 */
import { dirname, join } from "node:path";
import { hasTool, lily, tempProject } from "./_tools.ts";

/** The engine the tests use. */
export const PODMAN = "podman";

const BUSYBOX = "/usr/bin/busybox";
const APPLETS = [
  "sh",
  "cat",
  "id",
  "echo",
  "ls",
  "touch",
  "sleep",
  "mkdir",
  "env",
  "wget",
  "printf",
  "test",
  "grep",
  "rm",
  "head",
  "wc",
  "true",
  "false",
  "nc",
];

/** Whether the docker tests can run here (podman and a static busybox). */
export function imagesAvailable(): boolean {
  return hasTool(PODMAN) && hasTool("busybox") && isStaticBusybox();
}

function isStaticBusybox(): boolean {
  try {
    const out = new Deno.Command("sh", {
      args: ["-c", `file -L ${BUSYBOX} 2>/dev/null || ldd ${BUSYBOX} 2>&1`],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    const text = new TextDecoder().decode(out.stdout);
    return /statically linked|not a dynamic executable/.test(text);
  } catch {
    return false;
  }
}

const built = new Map<string, Promise<string>>();

/**
 * A busybox image (`localhost/lily-test-busybox:<digest>`); built on first use. With `user`,
 * imported into that user's own (rootless) image store.
 */
export function busyboxImage(user?: string): Promise<string> {
  return image("busybox", (root) => addBusybox(root), user);
}

/** An image with busybox and the host's python3 (`localhost/lily-test-python:<digest>`). */
export function pythonImage(): Promise<string> {
  return image("python", async (root) => {
    await addBusybox(root);
    await addPython(root);
  });
}

function image(
  name: string,
  fill: (root: string) => Promise<void>,
  user?: string,
): Promise<string> {
  const key = `${name}/${user ?? ""}`;
  let ref = built.get(key);
  if (!ref) {
    ref = build(name, fill, user);
    built.set(key, ref);
  }
  return ref;
}

/** `podman ARGS`, as `user` (rootless, in the user's home) when given. */
function podmanArgv(args: string[], user?: string): [string, string[]] {
  return user
    ? ["runuser", [
      "-u",
      user,
      "--",
      "env",
      `HOME=/home/${user}`,
      "sh",
      "-c",
      'cd / && exec "$@"',
      "sh",
      PODMAN,
      ...args,
    ]]
    : [PODMAN, args];
}

async function build(
  name: string,
  fill: (root: string) => Promise<void>,
  user?: string,
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `lily-image-${name}-` });
  await Deno.chmod(dir, 0o755);
  try {
    const root = join(dir, "root");
    await Deno.mkdir(root);
    for (const d of ["tmp", "etc", "proc", "sys", "dev"]) await Deno.mkdir(join(root, d));
    await Deno.writeTextFile(join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    await fill(root);
    const tar = join(dir, "root.tar");
    // Deterministic: sorted names, fixed times and owners (the tag is the tar's digest).
    await run("tar", [
      "--sort=name",
      "--mtime=@0",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "-C",
      root,
      "-cf",
      tar,
      ".",
    ]);
    const digest = await sha256File(tar);
    const ref = `localhost/lily-test-${name}:${digest.slice(0, 16)}`;
    await Deno.chmod(tar, 0o644);
    const [program, args] = podmanArgv(["image", "exists", ref], user);
    const exists = await new Deno.Command(program, { args, stdout: "null", stderr: "null" })
      .output();
    if (!exists.success) await run(...podmanArgv(["import", "--quiet", tar, ref], user));
    return ref;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function addBusybox(root: string): Promise<void> {
  await Deno.mkdir(join(root, "bin"), { recursive: true });
  await Deno.copyFile(BUSYBOX, join(root, "bin", "busybox"));
  await Deno.chmod(join(root, "bin", "busybox"), 0o755);
  for (const applet of APPLETS) await Deno.symlink("busybox", join(root, "bin", applet));
}

/** The host's python3 (the real file), the libraries `ldd` names, and its standard library. */
async function addPython(root: string): Promise<void> {
  const python = await Deno.realPath("/usr/bin/python3");
  const version = (await output(python, ["-c", "import sys; print(sys.version_info[1])"])).trim();
  await copyInto(root, python);
  await Deno.mkdir(join(root, "usr", "bin"), { recursive: true });
  await Deno.symlink(python, join(root, "usr", "bin", "python3"));
  const ldd = await output("ldd", [python]);
  for (const line of ldd.split("\n")) {
    const m = /(\/\S+) \(0x/.exec(line) ?? /^\s*(\/\S+)/.exec(line);
    if (m) await copyInto(root, m[1], await Deno.realPath(m[1]));
  }
  const stdlib = `/usr/lib/python3.${version}`;
  await run("sh", [
    "-c",
    `mkdir -p "$1$2" && cd "$2" && tar --exclude=./dist-packages --exclude=./site-packages --exclude=./test --exclude=__pycache__ -cf - . | tar -C "$1$2" -xf -`,
    "sh",
    root,
    stdlib,
  ]);
}

async function copyInto(root: string, path: string, from = path): Promise<void> {
  const target = join(root, path);
  await Deno.mkdir(dirname(target), { recursive: true });
  await Deno.copyFile(from, target);
  await Deno.chmod(target, 0o755);
}

async function sha256File(path: string): Promise<string> {
  const data = await Deno.readFile(path);
  const hash = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function output(program: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${program} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

async function run(program: string, args: string[]): Promise<void> {
  await output(program, args);
}

/** Names of every container (running or not) whose name starts with `prefix`. */
export async function containersNamed(prefix: string): Promise<string[]> {
  const text = await output(PODMAN, ["ps", "-a", "--format", "{{.Names}}"]);
  return text.split("\n").filter((n) => n.startsWith(prefix));
}

/** The unprivileged user the container runs as in the tests (it owns the test projects). */
export const TEST_USER = "lilytest";

/**
 * A project owned by {@linkcode TEST_USER} (a rootful engine runs a step as the project
 * root's owner), with `flow.petal` composed to `flow.lock.yaml`.
 */
export async function dockerProject(
  files: Record<string, string>,
  compose = true,
): Promise<string> {
  const dir = await tempProject(files);
  await run("chown", ["-R", `${TEST_USER}:${TEST_USER}`, dir]);
  if (compose) {
    const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], { cwd: dir });
    if (out.code !== 0) throw new Error(`compose failed:\n${out.stderr}`);
  }
  return dir;
}

// `deno run -A tests/_images.ts`: builds the test images ahead (scripts/setup.sh runs it).
if (import.meta.main) {
  console.log(await busyboxImage());
  console.log(await pythonImage());
}
