// Human gates at a real terminal: `lily run` in a tmux pane (a pseudo-terminal with a shell),
// driven by tmux send-keys, the test waiting on the pane's content and on files, never on the
// clock. A bool gate (yes, then no), an enum gate (arrow keys) and a text gate (typed), asked
// one at a time; what the gate guards shown (a secret input never); a step's `timeout:`
// cancelling the gate; Ctrl-C at the prompt cancelling the run with the terminal restored; and
// the output of a step running meanwhile held until the prompt is answered.
import { userInfo } from "node:os";
import { assert, assertEquals } from "../_assert.ts";
import { denoDir, skipUnless } from "../_tools.ts";
import { latestManifest, project, until } from "../run/_run.ts";

const ignore = skipUnless("tmux");
/** A guard against a hang only (the pane is polled; nothing is timed). */
const LONG = 180_000;
const SECRET = "tty-s3cr3t-value";

function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function tmux(...args: string[]): string {
  const out = new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (!out.success) {
    throw new Error(`tmux ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** A tmux session running a plain shell in a 200×60 terminal. */
class Pane {
  readonly session = `lily-human-${crypto.randomUUID().slice(0, 8)}`;
  constructor() {
    tmux(
      "new-session",
      "-d",
      "-s",
      this.session,
      "-x",
      "200",
      "-y",
      "60",
      "bash --norc --noprofile",
    );
  }
  /** Keys (`Enter`, `Down`, `C-c`) or, with `literal`, text typed as is. */
  keys(keys: string[], literal = false): void {
    tmux("send-keys", "-t", this.session, ...(literal ? ["-l"] : []), ...keys);
  }
  /** The pane's text, with its scrollback. */
  text(): string {
    return tmux("capture-pane", "-p", "-J", "-S", "-2000", "-t", this.session);
  }
  async waitFor(what: string | RegExp, description = String(what)): Promise<string> {
    let last = "";
    await until(
      () => {
        last = this.text();
        return typeof what === "string" ? last.includes(what) : what.test(last);
      },
      LONG,
      `${description} in the pane`,
    ).catch((error) => {
      throw new Error(`${error.message}; the pane shows:\n${last}`);
    });
    return last;
  }
  close(): void {
    try {
      tmux("kill-session", "-t", this.session);
    } catch {
      // already gone
    }
  }
}

/**
 * Starts `lily run flow.lock.yaml ARGS` in the pane; its exit status lands in `EXIT.<n>` and
 * the terminal's settings (stty -g) before and after in `stty.<n>.before/after`.
 */
function startRun(pane: Pane, dir: string, n: number, args: string[] = []): void {
  const mod = new URL("../../mod.ts", import.meta.url).pathname;
  const env = [
    "RUST_BACKTRACE=0",
    "NO_COLOR=1",
    `XDG_CACHE_HOME=${quote(`${dir}/.xdg`)}`,
    `DENO_DIR=${quote(denoDir())}`,
    `LILY_SECRET_TOKEN=${SECRET}`,
  ].join(" ");
  const lily = [Deno.execPath(), "run", "-A", "--no-check", mod, "run", "flow.lock.yaml", ...args]
    .map(quote).join(" ");
  pane.keys([
    `clear; cd ${quote(dir)} && stty -g > stty.${n}.before; env ${env} ${lily}; ` +
    `echo $? > EXIT.${n}.tmp; stty -g > stty.${n}.after; mv EXIT.${n}.tmp EXIT.${n}`,
    "Enter",
  ]);
}

async function exitOf(dir: string, n: number): Promise<number> {
  await until(
    async () => {
      try {
        await Deno.stat(`${dir}/EXIT.${n}`);
        return true;
      } catch {
        return false;
      }
    },
    LONG,
    `run ${n} to end`,
  );
  return Number((await Deno.readTextFile(`${dir}/EXIT.${n}`)).trim());
}

async function sttyRestored(dir: string, n: number): Promise<void> {
  assertEquals(
    await Deno.readTextFile(`${dir}/stty.${n}.after`),
    await Deno.readTextFile(`${dir}/stty.${n}.before`),
    "the terminal's settings are restored",
  );
}

const APPROVE = `petal: "1"
name: release
params:
  token: { type: secret }
steps:
  - id: build
    uses: shell
    with: { run: 'echo "version=1.2.3" >> "$LILY_OUTPUT"; printf "## 1.2.3\\n- fixed the thing\\n" > CHANGES.md' }
    outputs: { version: { type: str }, changes: { type: file, path: CHANGES.md } }
  - id: approve
    uses: human
    needs: [build]
    inputs:
      version: { from: steps.build.outputs.version }
      changes: { from: steps.build.outputs.changes }
      token: { from: params.token }
    with: { prompt: "Publish 1.2.3 to the registry?" }
  - id: publish
    uses: shell
    needs: [approve]
    with: { run: touch published.txt }
    resources: { binaries: [touch] }
`;

Deno.test({
  name: "human tty: a bool gate shows what it guards, then yes runs its dependants and no fails it",
  ignore,
  async fn() {
    const dir = await project({ ".lilyrc": "", "flow.petal": APPROVE });
    const pane = new Pane();
    try {
      startRun(pane, dir, 1);
      const shown = await pane.waitFor("? Publish 1.2.3 to the registry? (y/N)", "the prompt");
      assert(shown.includes('version = "1.2.3"'), shown);
      assert(shown.includes("changes = CHANGES.md (file)"), shown);
      assert(shown.includes("│ - fixed the thing"), shown);
      assert(shown.includes("token   = (secret, not shown)"), shown);
      assert(!shown.includes(SECRET), "the secret is never shown");
      pane.keys(["y"]);
      pane.keys(["Enter"]);
      assertEquals(await exitOf(dir, 1), 0, pane.text());
      await Deno.stat(`${dir}/published.txt`);
      const m = latestManifest(dir);
      assertEquals(m.steps.approve.human.via, "tty");
      assertEquals(m.steps.approve.human.by, userInfo().username);
      assertEquals(m.steps.approve.outputs.answer.value, true);
      await sttyRestored(dir, 1);

      await Deno.remove(`${dir}/published.txt`);
      startRun(pane, dir, 2);
      await pane.waitFor("? Publish 1.2.3 to the registry? (y/N)", "the prompt again");
      pane.keys(["n"]);
      pane.keys(["Enter"]);
      assertEquals(await exitOf(dir, 2), 1, pane.text());
      const after = pane.text();
      assert(after.includes("human gate `approve` was answered no (at the terminal"), after);
      const m2 = latestManifest(dir);
      assertEquals(m2.steps.approve.human.answer, false);
      assert(m2.steps.publish.status !== "succeeded");
      let published = true;
      await Deno.stat(`${dir}/published.txt`).catch(() => published = false);
      assertEquals(published, false, "the dependant did not run");
      await sttyRestored(dir, 2);
    } finally {
      pane.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const CHOICES = `petal: "1"
name: choose
steps:
  - id: target
    uses: human
    with:
      prompt: Deploy where?
      answer: { type: enum, choices: [staging, production, lab] }
  - id: note
    uses: human
    with: { prompt: Release note, answer: { type: text } }
  - id: deploy
    uses: shell
    needs: [target, note]
    inputs:
      where: { from: steps.target.outputs.answer }
      note: { from: steps.note.outputs.answer }
    with: { run: 'echo "$LILY_INPUT_WHERE: $LILY_INPUT_NOTE" > deployed.txt' }
`;

Deno.test({
  name:
    "human tty: an enum gate takes a choice by arrow keys, a text gate typed text, one at a time",
  ignore,
  async fn() {
    const dir = await project({ ".lilyrc": "", "flow.petal": CHOICES });
    const pane = new Pane();
    try {
      startRun(pane, dir, 1);
      const answered = new Set<string>();
      while (answered.size < 2) {
        const next = [
          ...(answered.has("target") ? [] : ["❯ staging"]),
          ...(answered.has("note") ? [] : ["\\? Release note"]),
        ];
        const text = await pane.waitFor(new RegExp(next.join("|")), "the next prompt");
        // Both gates are ready at once; only one prompt is ever on the screen.
        const open = ["? Deploy where?", "? Release note"].filter((p) => text.includes(p));
        assertEquals(open.length, 1, text);
        if (!answered.has("target") && text.includes("❯ staging")) {
          pane.keys(["Down"]);
          await pane.waitFor("❯ production", "the cursor on production");
          pane.keys(["Enter"]);
          await pane.waitFor("✔ Deploy where? production", "the enum answer");
          answered.add("target");
        } else {
          pane.keys(["ship it, v2"], true);
          await pane.waitFor("? Release note ship it, v2", "the typed text");
          pane.keys(["Enter"]);
          await pane.waitFor("✔ Release note ship it, v2", "the text answer");
          answered.add("note");
        }
      }
      assertEquals(await exitOf(dir, 1), 0, pane.text());
      assertEquals(await Deno.readTextFile(`${dir}/deployed.txt`), "production: ship it, v2\n");
      const m = latestManifest(dir);
      assertEquals(
        [m.steps.target.human.answer, m.steps.note.human.answer],
        ["production", "ship it, v2"],
      );
      assertEquals([m.steps.target.human.via, m.steps.note.human.via], ["tty", "tty"]);
      await sttyRestored(dir, 1);
    } finally {
      pane.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "human tty: the step's timeout cancels an unanswered gate with a clear failure",
  ignore,
  async fn() {
    const flow = `petal: "1"
name: wait
steps:
  - id: ok
    uses: human
    timeout: 1s
    with: { prompt: "Anyone there?" }
  - id: after
    uses: shell
    needs: [ok]
    with: { run: touch after.txt }
    resources: { binaries: [touch] }
`;
    const dir = await project({ ".lilyrc": "", "flow.petal": flow });
    const pane = new Pane();
    try {
      startRun(pane, dir, 1);
      assertEquals(await exitOf(dir, 1), 1, pane.text());
      // (Whether the prompt was drawn before the timeout depends on the machine's load: only
      // the outcome is checked.)
      const text = pane.text();
      assert(
        text.includes(
          "human gate `ok` was not answered within its timeout (1s): the gate is cancelled",
        ),
        text,
      );
      const m = latestManifest(dir);
      assertEquals(m.steps.ok.status, "failed");
      assertEquals(m.steps.after.status === "succeeded", false);
      await sttyRestored(dir, 1);
      // The shell reads the next line normally (the terminal left raw mode).
      pane.keys(["echo typed-after > typed.txt", "Enter"]);
      await until(
        async () => {
          try {
            return (await Deno.readTextFile(`${dir}/typed.txt`)).trim() === "typed-after";
          } catch {
            return false;
          }
        },
        LONG,
        "the shell to run the next command",
      );
    } finally {
      pane.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "human tty: Ctrl-C at the prompt cancels the run cleanly, the terminal restored",
  ignore,
  async fn() {
    const flow = `petal: "1"
name: stop
steps:
  - id: busy
    uses: shell
    with: { run: 'touch busy.started; while [ ! -e never ]; do sleep 0.2; done' }
    resources: { binaries: [touch, sleep] }
  - id: ok
    uses: human
    with: { prompt: "Proceed?" }
  - id: later
    uses: human
    needs: [ok]
    with: { prompt: "Really?" }
`;
    const dir = await project({ ".lilyrc": "", "flow.petal": flow });
    const pane = new Pane();
    try {
      startRun(pane, dir, 1);
      await pane.waitFor("? Proceed? (y/N)", "the prompt");
      await until(
        async () => {
          try {
            await Deno.stat(`${dir}/busy.started`);
            return true;
          } catch {
            return false;
          }
        },
        LONG,
        "the busy step to start",
      );
      pane.keys(["C-c"]);
      assertEquals(await exitOf(dir, 1), 130, pane.text());
      const m = latestManifest(dir);
      assertEquals(m.status, "cancelled");
      assertEquals(m.steps.ok.status, "cancelled");
      assertEquals(m.steps.busy.status, "cancelled");
      assert(!pane.text().includes("? Really?"), "no gate is asked after Ctrl-C");
      await sttyRestored(dir, 1);
    } finally {
      pane.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "human tty: what another step prints while a gate asks waits until the prompt is answered",
  ignore,
  async fn() {
    const flow = `petal: "1"
name: chatty
steps:
  - id: chatty
    uses: shell
    with: { run: 'i=0; while [ ! -e stop ]; do i=$((i+1)); echo "tick $i"; echo $i > ticks; sleep 0.05; done; echo "tick end"' }
    resources: { binaries: [sleep] }
  - id: ok
    uses: human
    with: { prompt: "Carry on?" }
`;
    const dir = await project({ ".lilyrc": "", "flow.petal": flow });
    const pane = new Pane();
    const ticks = async () => {
      try {
        return Number((await Deno.readTextFile(`${dir}/ticks`)).trim()) || 0;
      } catch {
        return 0;
      }
    };
    try {
      // -v streams each step's output to the console: the ticks would cut into the prompt.
      startRun(pane, dir, 1, ["-v", "-j", "2"]);
      await pane.waitFor("? Carry on? (y/N)", "the prompt");
      // The chatty step goes on printing while the prompt is up (seen through its file).
      const seen = await ticks();
      await until(async () => await ticks() >= seen + 20, LONG, "twenty more ticks");
      const during = pane.text().trimEnd().split("\n");
      const at = during.findLastIndex((l) => l.includes("? Carry on? (y/N)"));
      assertEquals(at, during.length - 1, `the prompt is the last line:\n${during.join("\n")}`);
      await Deno.writeTextFile(`${dir}/stop`, "");
      pane.keys(["y"]);
      pane.keys(["Enter"]);
      assertEquals(await exitOf(dir, 1), 0, pane.text());
      const after = pane.text();
      assert(after.includes("✔ Carry on? Yes"), after);
      // The held lines are printed after the answer, in order.
      const promptLine = after.indexOf("✔ Carry on? Yes");
      assert(after.indexOf("chatty │ tick end") > promptLine, after);
    } finally {
      pane.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
