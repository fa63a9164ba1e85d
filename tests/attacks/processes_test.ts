// Nothing a step started outlives it, in each configuration: a detached process left behind
// by one step is gone before the next step of the same policy runs in the same host (it read
// that step's secret before), and a grandchild that ignores SIGTERM dies at a timeout even
// with two CPU hogs beside the run.
import { assertEquals, assertMatch } from "../_assert.ts";
import { processesWith } from "../run/_run.ts";
import { cleanup, CONFIGS, projectIn, runIn, skipConfig } from "./_configs.ts";

/** Two busy loops for the machine, for the length of `body`. */
async function withHogs<T>(body: () => Promise<T>): Promise<T> {
  const hogs = [0, 1].map(() =>
    new Deno.Command("sh", { args: ["-c", "while :; do :; done"], stdout: "null" }).spawn()
  );
  try {
    return await body();
  } finally {
    for (const hog of hogs) {
      hog.kill("SIGKILL");
      await hog.status;
    }
  }
}

for (const config of CONFIGS) {
  Deno.test({
    name: `attack [${config.name}]: a process left behind does not live on into the next step`,
    ignore: skipConfig(config),
    async fn() {
      const marker = `lily-leftover-${crypto.randomUUID().slice(0, 8)}`;
      // `a` leaves a detached process behind (new session, output closed); `b`, the same
      // policy and so the same host, looks for it.
      const flow = `petal: "1"
name: leftover
steps:
  - id: a
    uses: shell
    resources: {binaries: [python3]}
    with:
      run: python3 spawn.py ${marker}
  - id: b
    uses: shell
    needs: [a]
    resources: {binaries: [python3]}
    with:
      run: python3 look.py ${marker}
`;
      const spawn = `import subprocess, sys
subprocess.Popen(["python3", "-c", "import time\\nwhile True: time.sleep(0.05)", sys.argv[1]],
  start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
  stderr=subprocess.DEVNULL)
`;
      const look = `import os, sys
alive = []
for pid in os.listdir("/proc"):
    try:
        if pid.isdigit() and sys.argv[1] in open(f"/proc/{pid}/cmdline").read() \\
                and pid != str(os.getpid()):
            alive.append(pid)
    except OSError:
        pass
open("seen.txt", "w").write("LEFTOVER" if alive else "NONE")
`;
      const dir = await projectIn(config, {
        "flow.petal": flow,
        "spawn.py": spawn,
        "look.py": look,
      });
      try {
        const out = await runIn(config, dir, ["-j", "1"]);
        assertEquals(out.code, 0, out.stdout + out.stderr);
        assertEquals(Deno.readTextFileSync(`${dir}/seen.txt`), "NONE");
        assertEquals(processesWith(marker), [], "nothing survives the run");
      } finally {
        for (const pid of processesWith(marker)) Deno.kill(pid, "SIGKILL");
        await cleanup(dir);
      }
    },
  });

  Deno.test({
    name:
      `attack [${config.name}]: a timeout kills a grandchild that ignores SIGTERM, beside two CPU hogs`,
    ignore: skipConfig(config),
    async fn() {
      const marker = `lily-stubborn-${crypto.randomUUID().slice(0, 8)}`;
      const flow = `petal: "1"
name: stubborn
steps:
  - id: stubborn
    uses: shell
    timeout: 1s
    resources: {binaries: [python3]}
    with:
      run: python3 stubborn.py ${marker}
`;
      // A daemon (double fork: re-parented away from the step's tree, output closed) that
      // ignores SIGTERM; the step itself ignores SIGTERM too and never ends on its own.
      const stubborn = `import signal, subprocess, sys, time
daemon = "import signal, time\\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\\nwhile True: time.sleep(0.05)"
middle = "import subprocess, sys\\nsubprocess.Popen(['python3', '-c', sys.argv[1], sys.argv[2]], start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"
subprocess.run(["python3", "-c", middle, daemon, sys.argv[1]])
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True: time.sleep(0.05)
`;
      const dir = await projectIn(config, { "flow.petal": flow, "stubborn.py": stubborn });
      try {
        const out = await withHogs(() => runIn(config, dir));
        assertEquals(out.code, 1, out.stdout + out.stderr);
        assertMatch(out.stdout, /stubborn.*timed out/);
        assertEquals(processesWith(marker), [], "nothing survives the timeout");
      } finally {
        for (const pid of processesWith(marker)) Deno.kill(pid, "SIGKILL");
        await cleanup(dir);
      }
    },
  });
}
