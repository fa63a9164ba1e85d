// Which fields reach a shell: with.run (Lily's shell or with.shell) and the script after -c of a
// process step whose argv starts a POSIX shell.
import { assertEquals } from "../_assert.ts";
import { shellFields } from "../../src/compose/shell_fields.ts";

function fields(steps: unknown[], onError: unknown[] = []): Record<string, string> {
  const petal = { petal: "1", name: "x", steps, on_error: onError } as never;
  return Object.fromEntries(shellFields(petal));
}

Deno.test("shell steps: with.run, read by Lily's shell or by with.shell", () => {
  assertEquals(
    fields(
      [
        { id: "a", uses: "shell", with: { run: "x" } },
        { id: "b", uses: "shell", with: { run: "x", shell: "bash" } },
        { id: "c", uses: "shell", with: { run: "x", shell: "{{ params.sh }}" } },
      ],
      [{ id: "d", uses: "shell", with: { run: "x", shell: "/usr/bin/python3" } }],
    ),
    {
      "steps.0.with.run": "lily",
      "steps.1.with.run": "bash",
      "steps.2.with.run": "?",
      "on_error.0.with.run": "/usr/bin/python3",
    },
  );
});

Deno.test("process steps: the -c script of a POSIX shell, after options and env", () => {
  const argv = (a: string[]) => ({ id: "p", uses: "process", with: { argv: a } });
  assertEquals(
    fields([
      argv(["bash", "--noprofile", "-o", "pipefail", "-c", "s", "arg0"]),
      argv(["/bin/sh", "-ec", "s"]),
      argv(["busybox", "sh", "-c", "s"]),
      argv(["env", "-u", "HOME", "A=1", "dash", "-c", "s"]),
      argv(["python3", "-c", "s"]),
      argv(["bash", "script.sh", "-c", "s"]),
      argv(["xargs", "sh", "-c", "s"]),
    ]),
    {
      "steps.0.with.argv.5": "bash",
      "steps.1.with.argv.2": "sh",
      "steps.2.with.argv.3": "busybox",
      "steps.3.with.argv.6": "dash",
    },
  );
});
