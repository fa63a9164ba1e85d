/**
 * The four configurations every sandbox attack runs in: Lily as root and as an unprivileged
 * user (`lilytest`, made by scripts/setup.sh), each with bubblewrap and with the `unshare`
 * fallback (`LILY_SANDBOX=unshare`). The unprivileged runs start the real CLI through
 * `runuser`, with a copy of Deno and of its module cache that the user can read. A missing
 * prerequisite skips the configuration loudly, or fails it under CI=true.
 * @module
 */
import { denoDir, hasTool, tempProject } from "../_tools.ts";

/** One configuration. */
export interface Config {
  name: string;
  unprivileged: boolean;
  sandbox: "bwrap" | "unshare";
}

/** Every configuration, in a stable order. */
export const CONFIGS: Config[] = [
  { name: "root+bwrap", unprivileged: false, sandbox: "bwrap" },
  { name: "root+unshare", unprivileged: false, sandbox: "unshare" },
  { name: "user+bwrap", unprivileged: true, sandbox: "bwrap" },
  { name: "user+unshare", unprivileged: true, sandbox: "unshare" },
];

/** The unprivileged test user. */
export const TEST_USER = "lilytest";

const missingCache = new Map<string, string | null>();

function sh(script: string): { ok: boolean; out: string } {
  const out = new Deno.Command("sh", { args: ["-c", script], stdout: "piped", stderr: "piped" })
    .outputSync();
  const dec = new TextDecoder();
  return { ok: out.success, out: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

/** Why `config` cannot run here, or null when it can. */
export function missing(config: Config): string | null {
  const key = `${config.unprivileged}/${config.sandbox}`;
  if (missingCache.has(key)) return missingCache.get(key)!;
  let why: string | null = null;
  if (Deno.build.os !== "linux") why = "Linux only";
  else if (config.sandbox === "bwrap" && !hasTool("bwrap")) why = "needs bwrap";
  else if (!hasTool("unshare") || !hasTool("setpriv")) why = "needs unshare and setpriv";
  else if (config.unprivileged) {
    if (Deno.uid() !== 0) why = "needs root to switch to the test user";
    else if (!hasTool("runuser")) why = "needs runuser";
    else if (!sh(`id -u ${TEST_USER}`).ok) {
      why = `needs the user ${TEST_USER} (scripts/setup.sh creates it)`;
    }
  } else if (Deno.uid() !== 0) why = "needs to run as root";
  if (!why) {
    const probe = config.sandbox === "bwrap"
      ? "bwrap --unshare-user --unshare-pid --ro-bind / / true"
      : "unshare --user --map-root-user --pid --fork --mount --mount-proc true";
    const as = config.unprivileged ? `runuser -u ${TEST_USER} -- ${probe}` : probe;
    if (!sh(`cd / && ${as}`).ok) why = "user namespaces do not work here";
  }
  missingCache.set(key, why);
  return why;
}

/**
 * `ignore` value for a configuration's test: false when it can run; otherwise prints why it
 * is skipped, or, under CI=true, returns false so the test runs and fails loudly.
 */
export function skipConfig(config: Config): boolean {
  const why = missing(config);
  if (!why) return false;
  if (Deno.env.get("CI") === "true") return false;
  console.warn(`SKIP ${config.name}: ${why} (fails under CI=true)`);
  return true;
}

let prepared: { deno: string; denoDir: string } | undefined;

/**
 * A Deno binary and module cache the test user can read (copied once per machine, into
 * /var/tmp/lily-lilytest-<key>/, one copy per Deno binary and deno.lock).
 */
function unprivilegedDeno(): { deno: string; denoDir: string } {
  if (prepared) return prepared;
  const source = Deno.realPathSync(Deno.execPath());
  // Keyed by Deno and Lily's dependencies (deno.lock): checkouts with different dependencies on
  // one machine each get their own copy, and a copy in use is never replaced under a running test.
  const lock = Deno.readTextFileSync(new URL("../../deno.lock", import.meta.url));
  const stamp = `${Deno.statSync(source).size}:${Deno.version.deno}:${denoDir()}:${lock}`;
  let sum = 0;
  for (let i = 0; i < stamp.length; i++) sum = (sum * 31 + stamp.charCodeAt(i)) >>> 0;
  const base = `/var/tmp/lily-${TEST_USER}-${sum.toString(16)}`;
  const deno = `${base}/deno`;
  const dir = `${base}/deno_dir`;
  let isReady = false;
  try {
    isReady = Deno.statSync(`${base}/ready`).isFile;
  } catch {
    // not prepared yet
  }
  if (!isReady) {
    const staging = `${base}.${Deno.pid}`;
    const script = [
      `rm -rf '${staging}'`,
      `mkdir -p '${staging}/deno_dir'`,
      `cp '${source}' '${staging}/deno'`,
      `cp -a '${denoDir()}/.' '${staging}/deno_dir/'`,
      `touch '${staging}/ready'`,
      `chown -R ${TEST_USER}: '${staging}'`,
      `chmod 755 '${staging}' '${staging}/deno'`,
      // Another test process may have finished first: keep its copy, drop ours.
      `{ mv -T '${staging}' '${base}' 2>/dev/null || rm -rf '${staging}'; }`,
    ].join(" && ");
    const out = sh(script);
    if (!out.ok) throw new Error(`cannot prepare Deno for ${TEST_USER}: ${out.out}`);
  }
  return prepared = { deno, denoDir: dir };
}

/** Deno's module cache as the CLI in `config` sees it. */
export function denoDirFor(config: Config): string {
  return config.unprivileged ? unprivilegedDeno().denoDir : denoDir();
}

/** The command line that runs the real CLI in `config` (as the test user when unprivileged). */
export function lilyArgv(
  config: Config,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; wrap?: string[] },
): string[] {
  const mod = new URL("../../mod.ts", import.meta.url).pathname;
  const env: Record<string, string> = {
    RUST_BACKTRACE: "0",
    NO_COLOR: "1",
    PATH: "/usr/local/bin:/usr/bin:/bin",
    XDG_CACHE_HOME: `${options.cwd}/.xdg`,
    ...(config.sandbox === "unshare" ? { LILY_SANDBOX: "unshare" } : {}),
    ...options.env,
  };
  let deno = Deno.execPath();
  if (config.unprivileged) {
    const prepared = unprivilegedDeno();
    deno = prepared.deno;
    env.DENO_DIR = prepared.denoDir;
    env.HOME = `/home/${TEST_USER}`;
  } else {
    env.DENO_DIR = denoDir();
    env.HOME = Deno.env.get("HOME") ?? "/root";
  }
  return [
    ...(config.unprivileged ? ["runuser", "-u", TEST_USER, "--"] : []),
    "env",
    "-i",
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ...(options.wrap ?? []),
    deno,
    "run",
    "-A",
    "--no-check",
    mod,
    ...args,
  ];
}

/** Runs the real CLI in `config`. */
export async function lilyIn(
  config: Config,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; wrap?: string[] },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = lilyArgv(config, args, options);
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A temp project owned by the configuration's user, with `flow.petal` composed. */
export async function projectIn(
  config: Config,
  files: Record<string, string>,
  options: {
    parent?: string;
    env?: (root: string) => Record<string, string>;
    executable?: string[];
  } = {},
): Promise<string> {
  const under = options.parent ? `${options.parent}/` : "";
  const dir = await tempProject(
    Object.fromEntries(Object.entries(files).map(([name, text]) => [under + name, text])),
  );
  const root = options.parent ? `${dir}/${options.parent}` : dir;
  for (const name of options.executable ?? []) await Deno.chmod(`${root}/${name}`, 0o755);
  if (config.unprivileged) {
    await Deno.chmod(dir, 0o755);
    const out = sh(`chown -R ${TEST_USER}: '${dir}'`);
    if (!out.ok) throw new Error(out.out);
  }
  const composed = await lilyIn(config, ["compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], {
    cwd: root,
    env: options.env?.(root),
  });
  if (composed.code !== 0) throw new Error(`compose failed:\n${composed.stderr}`);
  return root;
}

/** Runs `lily run flow.lock.yaml` in `config`. */
export function runIn(
  config: Config,
  dir: string,
  args: string[] = [],
  options: { env?: Record<string, string>; wrap?: string[] } = {},
) {
  return lilyIn(config, ["run", "flow.lock.yaml", ...args], { cwd: dir, ...options });
}

/** Removes a test directory (and, for a nested project, its parent). */
export async function cleanup(dir: string): Promise<void> {
  const top = dir.split("/").slice(0, 3).join("/"); // /tmp/<temp dir>
  await Deno.remove(top.startsWith("/tmp/") ? top : dir, { recursive: true }).catch(() => {});
}
