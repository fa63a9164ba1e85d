// examples/release at a terminal: the README's endpoint line without `--approve`, in a tmux pane
// (a pseudo-terminal), so the gate asks. endpoint.ts runs lily as its child with the terminal
// inherited: the prompt shows the version and changelog, `y` publishes, and the manifest says the
// answer came from the terminal. The test waits on the pane and on files, never on the clock.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { denoDir, skipUnless } from "../_tools.ts";
import { until } from "../run/_run.ts";

const root = new URL("../../", import.meta.url).pathname;
/** A guard against a hang only (the pane is polled; nothing is timed). */
const LONG = 180_000;

function tmux(...args: string[]): string {
  const out = new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (!out.success) {
    throw new Error(`tmux ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

Deno.test({
  name: "examples/release at a terminal: the gate asks, `y` publishes and notifies",
  ignore: Deno.build.os !== "linux" || skipUnless("tmux", "git", "bwrap", "/usr/bin/python3"),
  fn: async () => {
    // The example's files as a fresh clone has them, beside links to the checkout's code.
    const tmp = await Deno.makeTempDir({ prefix: "lily-example-release-tty-" });
    const files = new TextDecoder().decode(
      new Deno.Command("git", {
        args: ["ls-files", "examples/release"],
        cwd: root,
        stdout: "piped",
      })
        .outputSync().stdout,
    ).trim().split("\n");
    for (const file of files) {
      await Deno.mkdir(`${tmp}/${file.slice(0, file.lastIndexOf("/"))}`, { recursive: true });
      await Deno.copyFile(`${root}${file}`, `${tmp}/${file}`);
    }
    for (const entry of ["mod.ts", "deno.json", "deno.lock", "src", "adapters"]) {
      await Deno.symlink(`${root}${entry}`, `${tmp}/${entry}`);
    }
    const session = `lily-release-${crypto.randomUUID().slice(0, 8)}`;
    tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "60", "bash --norc --noprofile");
    const text = () => tmux("capture-pane", "-p", "-J", "-S", "-2000", "-t", session);
    const waitFor = async (what: RegExp) => {
      let last = "";
      await until(() => what.test(last = text()), LONG, `${what} in the pane`).catch((e) => {
        throw new Error(`${e.message}; the pane shows:\n${last}`);
      });
    };
    try {
      const env = `RUST_BACKTRACE=0 NO_COLOR=1 XDG_CACHE_HOME=${quote(`${tmp}/.xdg`)} DENO_DIR=${
        quote(denoDir())
      }`;
      const line = [Deno.execPath(), "run", "-A", "examples/release/endpoint.ts", "run"]
        .concat("examples/release/release.petal").map(quote).join(" ");
      tmux(
        "send-keys",
        "-t",
        session,
        `cd ${quote(tmp)} && env ${env} ${line}; echo $? > EXIT.tmp; mv EXIT.tmp EXIT`,
        "Enter",
      );
      await waitFor(/Publish this release\? \(y\/N\)/);
      const asked = text();
      assertMatch(asked, /version = "1\.4\.0"/);
      assertMatch(asked, /- export reports as CSV/);
      // Nothing is published while the gate waits.
      const log = `${tmp}/examples/release/out/endpoint/received.jsonl`;
      assertEquals(await Deno.stat(log).then(() => true, () => false), false);
      tmux("send-keys", "-t", session, "y", "Enter");
      await until(() => Deno.stat(`${tmp}/EXIT`).then(() => true, () => false), LONG, "the end");
      assertEquals((await Deno.readTextFile(`${tmp}/EXIT`)).trim(), "0", text());
      const received = (await Deno.readTextFile(log)).trim().split("\n").map((l) => JSON.parse(l));
      assertEquals(received.map((r) => r.path), ["/releases", "/notify"]);
      const runs = `${tmp}/examples/release/.lily/runs`;
      const [run] = [...Deno.readDirSync(runs)].map((e) => e.name);
      const manifest = JSON.parse(await Deno.readTextFile(`${runs}/${run}/manifest.json`));
      assertEquals([manifest.steps.approve.human.answer, manifest.steps.approve.human.via], [
        true,
        "tty",
      ]);
      assert(manifest.status === "succeeded");
    } finally {
      try {
        tmux("kill-session", "-t", session);
      } catch {
        // already gone
      }
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
