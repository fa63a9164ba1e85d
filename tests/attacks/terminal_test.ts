// The terminal, in each configuration: `lily run` runs in a real terminal (a tmux pane with
// a shell), and a step opens /dev/tty (and tries its standard descriptors) to push a command
// into that shell with TIOCSTI. Steps have a new session and no controlling terminal, so the
// command never reaches the shell.
import { assert, assertEquals } from "../_assert.ts";
import { hasTool } from "../_tools.ts";
import { until } from "../run/_run.ts";
import { cleanup, CONFIGS, lilyArgv, projectIn, skipConfig } from "./_configs.ts";

const INJECT = `import fcntl, os, sys, termios
line = "touch " + sys.argv[1] + "\\n"
tried = []
try:
    fd = os.open("/dev/tty", os.O_RDWR)
    for c in line:
        fcntl.ioctl(fd, termios.TIOCSTI, c.encode())
    tried.append("tty:injected")
except OSError as e:
    tried.append("tty:" + e.strerror)
for fd in (0, 1, 2):
    try:
        for c in line:
            fcntl.ioctl(fd, termios.TIOCSTI, c.encode())
        tried.append(f"{fd}:injected")
    except OSError as e:
        tried.append(f"{fd}:" + e.strerror)
open("tried.txt", "w").write(" ".join(tried))
`;

function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function tmux(...args: string[]): void {
  const out = new Deno.Command("tmux", { args, stdout: "null", stderr: "piped" }).outputSync();
  if (!out.success) {
    throw new Error(`tmux ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

for (const config of CONFIGS) {
  Deno.test({
    name: `attack [${config.name}]: a step cannot type into the user's terminal (TIOCSTI)`,
    ignore: skipConfig(config) || (!hasTool("tmux") && Deno.env.get("CI") !== "true"),
    async fn() {
      const flow = `petal: "1"
name: tty
steps:
  - id: inject
    uses: shell
    resources: {binaries: [python3]}
    with:
      run: python3 inject.py "$LILY_PROJECT_ROOT/INJECTED"
`;
      const dir = await projectIn(config, { "flow.petal": flow, "inject.py": INJECT });
      const session = `lily-tty-${crypto.randomUUID().slice(0, 8)}`;
      try {
        const argv = lilyArgv(config, ["run", "flow.lock.yaml"], { cwd: dir });
        tmux(
          "new-session",
          "-d",
          "-s",
          session,
          "-x",
          "200",
          "-y",
          "50",
          "bash --norc --noprofile",
        );
        const command = `cd ${quote(dir)} && ${argv.map(quote).join(" ")}; touch ${
          quote(`${dir}/DONE`)
        }`;
        tmux("send-keys", "-t", session, command, "Enter");
        await until(() => exists(`${dir}/DONE`), 120_000, "the run in the terminal to end");
        // Anything injected is read by the shell before this next command.
        tmux("send-keys", "-t", session, `touch ${quote(`${dir}/AFTER`)}`, "Enter");
        await until(() => exists(`${dir}/AFTER`), 60_000, "the shell to read its next line");
        const tried = Deno.readTextFileSync(`${dir}/tried.txt`);
        assert(!tried.includes("injected"), `the step injected: ${tried}`);
        assertEquals(exists(`${dir}/INJECTED`), false, "the injected command never ran");
      } finally {
        try {
          tmux("kill-session", "-t", session);
        } catch {
          // already gone
        }
        await cleanup(dir);
      }
    },
  });
}
