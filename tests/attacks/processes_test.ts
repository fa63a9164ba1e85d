// Nothing a step started outlives it, in each configuration: a detached process left behind
// by one step is gone before the next step of the same policy runs in the same host (it read
// that step's secret before), and a grandchild that ignores SIGTERM dies at a timeout even
// with two CPU hogs beside the run.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
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

const STOP_ALL = `import os, signal, time
me = os.getpid()
for pid in os.listdir("/proc"):
    if pid.isdigit() and int(pid) != me:
        try:
            os.kill(int(pid), signal.SIGSTOP)
        except OSError:
            pass
open("stopped", "w").close()
while True: time.sleep(0.05)
`;

const HOST_START = `import os
# The program's parent is its sandbox host: its start time names it.
stat = open(f"/proc/{os.getppid()}/stat").read()
open(os.environ["WHERE"], "w").write(stat[stat.rindex(")") + 2:].split()[19])
`;

for (const config of CONFIGS) {
  Deno.test({
    name:
      `attack [${config.name}]: a step that stops every process it sees still ends at its timeout`,
    ignore: skipConfig(config),
    async fn() {
      const flow = `petal: "1"
name: stop
steps:
  - id: stop
    uses: shell
    timeout: 1s
    resources: {binaries: [python3]}
    with: {run: python3 stop.py}
`;
      const dir = await projectIn(config, { "flow.petal": flow, "stop.py": STOP_ALL });
      try {
        const out = await runIn(config, dir);
        assertEquals(out.code, 1, out.stdout + out.stderr);
        assertMatch(out.stdout, /stop.*timed out/);
      } finally {
        await cleanup(dir);
      }
    },
  });

  Deno.test({
    name: `attack [${config.name}]: a host that held a secret runs no later step`,
    ignore: skipConfig(config),
    async fn() {
      const flow = `petal: "1"
name: retire
params:
  token: {type: secret, source: "env:API_TOKEN"}
steps:
  - id: a
    uses: shell
    inputs: {token: {from: params.token}}
    env: {WHERE: a.txt}
    resources: {binaries: [python3]}
    with: {run: python3 host.py}
  - id: b
    uses: shell
    needs: [a]
    env: {WHERE: b.txt}
    resources: {binaries: [python3]}
    with: {run: python3 host.py}
  - id: c
    uses: shell
    needs: [b]
    env: {WHERE: c.txt}
    resources: {binaries: [python3]}
    with: {run: python3 host.py}
`;
      const dir = await projectIn(config, { "flow.petal": flow, "host.py": HOST_START });
      try {
        const out = await runIn(config, dir, ["-j", "1"], { env: { API_TOKEN: "s3cr3t-token" } });
        assertEquals(out.code, 0, out.stdout + out.stderr);
        const [a, b, c] = ["a", "b", "c"].map((s) => Deno.readTextFileSync(`${dir}/${s}.txt`));
        assert(a !== b, "b runs in a new host");
        assertEquals(b, c, "hosts without secrets are reused");
      } finally {
        await cleanup(dir);
      }
    },
  });
}
