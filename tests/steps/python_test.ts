// `uses: python` (runtime `system`) through the real CLI: typed inputs and outputs, a project
// file whose change re-runs the step, tracebacks of the user's code only, every audit-hook
// refusal as an attack (in the default sandbox and with --isolation none, where the hook is the
// only layer), packages pinned by `lily sync` and drift refused, a pyenv shim pinned as the
// interpreter it stands for.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { hasTool, lily, skipUnless, tempProject } from "../_tools.ts";
import { latestManifest, project, run } from "../run/_run.ts";

const ignore = Deno.build.os !== "linux" || skipUnless("python3");

function flow(steps: string, params = ""): string {
  return `petal: "1"\nname: py\n${params}steps:\n${steps}`;
}

async function logOf(dir: string, step: string): Promise<string> {
  const m = latestManifest(dir);
  const logs: string[] = m.steps[step]?.logs ?? [];
  const runs = [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) => e.name).sort();
  let text = "";
  for (const log of logs) {
    text += await Deno.readTextFile(`${dir}/.lily/runs/${runs[runs.length - 1]}/${log}`);
  }
  return text;
}

Deno.test({
  name: "python: typed inputs as Python values, outputs by lily.output and $LILY_OUTPUT",
  ignore,
  fn: async () => {
    const dir = await project({
      "data.txt": "three words here\n",
      "flow.petal": flow(
        `  - id: calc
    uses: python
    inputs:
      n: { from: params.n, type: int }
      x: { from: params.x, type: float }
      flag: { from: params.flag, type: bool }
      cfg: { from: params.cfg, type: json }
      who: { from: params.who, type: str }
      data: { path: data.txt, type: file }
    outputs:
      square: { type: int }
      half: { type: float }
      types: { type: str }
      doc: { type: json }
      lines: { type: str }
      raw: { type: str }
    with:
      code: |
        import os, lily
        n = lily.inputs["n"]
        lily.output("square", n * n)
        lily.output("half", lily.input("x") / 2)
        kinds = [type(lily.inputs[k]).__name__ for k in ("n", "x", "flag", "cfg", "who", "data")]
        lily.output("types", ",".join(kinds))
        with open(lily.inputs["data"]) as f:
            words = len(f.read().split())
        lily.output("doc", {"cfg": lily.inputs["cfg"], "flag": not lily.inputs["flag"], "words": words})
        lily.output("lines", "a\\nb=c")
        with open(os.environ["LILY_OUTPUT"], "a") as out:
            out.write("raw=" + os.environ["LILY_INPUT_N"] + "/" + lily.inputs["who"] + "\\n")
`,
        `params:
  n: { type: int, default: 2 }
  x: { type: float, default: 1.5 }
  flag: { type: bool, default: true }
  cfg: { type: json, default: {a: [1, 2]} }
  who: { type: str, default: world }
`,
      ),
    }, ["-p", "n=7", "-p", "x=5"]);
    try {
      const out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      const m = latestManifest(dir);
      const outputs = m.steps.calc.outputs;
      assertEquals(outputs.square.value, 49);
      assertEquals(outputs.half.value, 2.5);
      assertEquals(outputs.types.value, "int,float,bool,dict,str,str");
      assertEquals(outputs.doc.value, { cfg: { a: [1, 2] }, flag: false, words: 3 });
      assertEquals(outputs.lines.value, "a\nb=c");
      assertEquals(outputs.raw.value, "7/world");
      // The default sandbox ran it (not --isolation none).
      assertEquals(m.steps.calc.enforcement.sandbox, "deno host");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "python: with.file is an input: a cache hit until the file changes, then it re-runs",
  ignore,
  fn: async () => {
    const dir = await project({
      "scripts/step.py": 'import lily\nlily.output("v", "one")\n',
      "flow.petal": flow(`  - id: f
    uses: python
    outputs: { v: { type: str } }
    with: { file: scripts/step.py }
`),
    });
    try {
      let out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(latestManifest(dir).steps.f.outputs.v.value, "one");
      out = await run(dir);
      assertEquals(latestManifest(dir).steps.f.cache.decision, "hit");
      await Deno.writeTextFile(`${dir}/scripts/step.py`, 'import lily\nlily.output("v", "two")\n');
      out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      const m = latestManifest(dir);
      assertEquals(m.steps.f.cache.decision, "miss");
      assertEquals(m.steps.f.outputs.v.value, "two");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "python: an exception is a traceback of the user's frames only, and the step fails",
  ignore,
  fn: async () => {
    const dir = await project({
      "scripts/lib.py": "def inner(d):\n    return 1 / d\n",
      "flow.petal": flow(`  - id: boom
    uses: python
    with:
      code: |
        def outer():
            return inner(0)
        def inner(d):
            return 10 // d
        print("before")
        outer()
  - id: fileboom
    uses: python
    with: { file: scripts/lib.py }
  - id: syntax
    uses: python
    with: { code: "def f(:\\n  pass\\n" }
  - id: noinput
    uses: python
    with:
      code: |
        import lily
        lily.input("nope")
`),
    });
    try {
      const out = await run(dir, ["--continue", "always"]);
      assertEquals(out.code, 1, out.stderr + out.stdout);
      const m = latestManifest(dir);
      assertEquals(m.steps.boom.status, "failed");
      const log = await logOf(dir, "boom");
      assertMatch(log, /before\n/);
      assertMatch(
        log,
        /Traceback \(most recent call last\):\n {2}File "<step boom>", line 6, in <module>\n {4}outer\(\)\n {2}File "<step boom>", line 2, in outer\n {4}return inner\(0\)\n(?:.*\n)*? {2}File "<step boom>", line 4, in inner\n {4}return 10 \/\/ d\n(?:.*\n)*?ZeroDivisionError: integer division or modulo by zero\n/,
      );
      assertMatch(log, /lily: step boom: the Python code raised ZeroDivisionError/);
      // No runner frame: the runner is `-c` code (`<string>`), its names never appear.
      assert(!/<string>|_CODE|_USER_GLOBALS|_hook/.test(log), log);
      // A file that only defines functions runs fine; the syntax error is shown as Python does.
      assertEquals(m.steps.fileboom.status, "succeeded");
      const syntax = await logOf(dir, "syntax");
      assertMatch(syntax, /File "<step syntax>", line 1\n +def f\(:\n/);
      assertMatch(syntax, /SyntaxError/);
      assert(!/<string>/.test(syntax), syntax);
      // An error raised inside Lily's own helpers (lily.input) shows the user's line, not the
      // runner's frame.
      const noinput = await logOf(dir, "noinput");
      assertMatch(noinput, /File "<step noinput>", line 2, in <module>\n +lily\.input\("nope"\)\n/);
      assertMatch(noinput, /KeyError: "step noinput declares no input 'nope'/);
      assert(!/<string>|in _input/.test(noinput), noinput);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** A TCP server on 127.0.0.1 that counts connections. */
function server(): { port: number; connections: () => number; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let count = 0;
  (async () => {
    for await (const conn of listener) {
      count++;
      await conn.write(new TextEncoder().encode("hi\n")).catch(() => 0);
      conn.close();
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    connections: () => count,
    close: () => listener.close(),
  };
}

const ATTACKS: Record<string, { code: string; event: string; allow: RegExp }> = {
  system: {
    code: 'os.system("touch pwned")',
    event: "os.system",
    allow: /subprocess\.run\(\[PROGRAM, \.\.\.\]\) with PROGRAM listed in resources\.binaries/,
  },
  subprocess: {
    code: 'import subprocess\nsubprocess.run(["touch", "pwned"])',
    event: "subprocess.Popen",
    allow: /resources: \{ binaries: \[touch\] \}/,
  },
  popen_shell: {
    code: 'import subprocess\nsubprocess.run("touch pwned", shell=True)',
    event: "subprocess.Popen",
    allow: /resources: \{ binaries: \[sh\] \}/,
  },
  execv: {
    code: 'os.execv("/usr/bin/touch", ["touch", "pwned"])',
    event: "os.exec",
    allow: /resources: \{ binaries: \[touch\] \}/,
  },
  fork: {
    code: 'if os.fork() == 0:\n    open("pwned", "w").close()',
    event: "os.fork",
    allow: /may not fork/,
  },
  pty: {
    code: 'import pty\npty.spawn(["touch", "pwned"])',
    event: "os.forkpty",
    allow: /may not fork/,
  },
  socket: {
    code:
      'import socket\ns = socket.socket()\ns.connect(("127.0.0.1", int(os.environ["PORT"])))\nopen("pwned", "w").write(s.recv(10).decode())',
    event: "socket.connect",
    allow: /resources: \{ network: true \}/,
  },
  eval: {
    code: 'x = eval("6 * 7")\nopen("pwned", "w").write(str(x))',
    event: "compile",
    allow: /may not eval\/exec\/compile strings/,
  },
  exec: {
    code: "exec(\"open('pwned', 'w').close()\")",
    event: "compile",
    allow: /may not eval\/exec\/compile strings/,
  },
  code_object: {
    code: 'import marshal\nc = (lambda: open("pwned", "w").close()).__code__\nexec(c)',
    event: "exec",
    allow: /may not eval\/exec\/compile strings/,
  },
  // Rebinding what an unguarded hook would read: the runner's globals, os.path, os._exit.
  tamper_main: {
    code:
      'import __main__, sys, socket\nfor m in list(sys.modules.values()):\n    try:\n        vars(m).update(_NETWORK=True, _busy=[True], network=True)\n    except Exception:\n        pass\ns = socket.socket()\ns.connect(("127.0.0.1", int(os.environ["PORT"])))\nopen("pwned", "w").close()',
    event: "socket.connect",
    allow: /resources: \{ network: true \}/,
  },
  tamper_os: {
    code:
      'import posixpath, subprocess\nos.path.realpath = posixpath.realpath = lambda p: "/bin/true"\nos._exit = lambda n: None\nsubprocess.run(["touch", "pwned"])',
    event: "subprocess.Popen",
    allow: /resources: \{ binaries: \[touch\] \}/,
  },
  chdir: {
    code: 'os.chdir("/tmp")\nopen("pwned", "w").close()',
    event: "os.chdir",
    allow: /lily\.project_root/,
  },
};

for (const isolation of ["auto", "none"]) {
  Deno.test({
    name:
      `python attacks (--isolation ${isolation}): each refused by the audit hook, named, with the policy line`,
    ignore,
    fn: async () => {
      const srv = server();
      const steps = Object.entries(ATTACKS).map(([id, a]) =>
        `  - id: ${id}
    uses: python
    env: { PORT: "${srv.port}" }
    with:
      code: |
        import os
        try:
${a.code.split("\n").map((l) => `            ${l}`).join("\n")}
        except BaseException as e:
            print("caught", e)
        print("survived")
`
      ).join("");
      const dir = await project({ "flow.petal": flow(steps) });
      try {
        const out = await run(dir, ["--continue", "always", "--isolation", isolation, "-j", "2"]);
        assertEquals(out.code, 1, out.stderr + out.stdout);
        const m = latestManifest(dir);
        for (const [id, a] of Object.entries(ATTACKS)) {
          assertEquals(m.steps[id].status, "failed", id);
          assertEquals(m.steps[id].exit_code, 126, id);
          const log = await logOf(dir, id);
          const line = log.split("\n").find((l) => l.startsWith("lily: denied:")) ?? "";
          assert(line.includes(`(audit event ${a.event})`), `${id}: ${log}`);
          assert(line.includes(`in python step ${id}`), `${id}: ${line}`);
          assertMatch(line, a.allow, id);
          // The refusal ends the process: user code could not catch it and go on.
          assert(!log.includes("survived") && !log.includes("caught"), `${id}: ${log}`);
        }
        assertEquals(filesUnder(dir).filter((f) => f.endsWith("pwned")), []);
        assertEquals(srv.connections(), 0);
      } finally {
        srv.close();
        await Deno.remove(dir, { recursive: true });
        await Deno.remove("/tmp/pwned").catch(() => {});
      }
    },
  });
}

function filesUnder(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...filesUnder(`${dir}/${e.name}`, rel));
    else out.push(rel);
  }
  return out;
}

Deno.test({
  name: "python: what the policy allows runs — listed binaries, the network when on, stdlib exec",
  ignore: ignore || skipUnless("touch"),
  fn: async () => {
    const srv = server();
    const dir = await project({
      "flow.petal": flow(`  - id: allowed
    uses: python
    env: { PORT: "${srv.port}" }
    resources: { binaries: [touch], network: true }
    outputs: { got: { type: str }, point: { type: int } }
    with:
      code: |
        import os, socket, subprocess, collections, dataclasses, lily
        subprocess.run(["touch", "made"], check=True)
        subprocess.run([lily.programs["touch"], "made2"], check=True)
        s = socket.create_connection(("127.0.0.1", int(os.environ["PORT"])))
        lily.output("got", s.recv(10).decode().strip())
        P = collections.namedtuple("P", "x y")
        @dataclasses.dataclass
        class D:
            a: int
        lily.output("point", P(1, 2).y + D(3).a)
`),
    });
    try {
      const out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      const m = latestManifest(dir);
      assertEquals(m.steps.allowed.outputs.got.value, "hi");
      assertEquals(m.steps.allowed.outputs.point.value, 5);
      assert((await Deno.stat(`${dir}/made`)).isFile);
      assert((await Deno.stat(`${dir}/made2`)).isFile);
      assertEquals(srv.connections(), 1);
    } finally {
      srv.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "python: compose refuses bad with: blocks with positions (an unknown runtime)",
  fn: async () => {
    const dir = await tempProject({
      "f.petal": flow(
        `  - id: both
    uses: python
    with: { code: "print(1)", file: a.py }
  - id: wasm
    uses: python
    with: { code: "print(1)", runtime: jython }
  - id: odd
    uses: python
    with: { code: "print(1)", packges: [numpy] }
  - id: out
    uses: python
    with: { file: ../x.py }
  - id: tpl
    uses: python
    with: { code: "print('{{ params.who }}')" }
  - id: blk
    uses: python
    with:
      code: |
        import lily
        print("{{ params.who }}")
`,
        "params:\n  who: { type: str, default: \"x'); import os; os.system('id\" }\n",
      ),
    });
    try {
      const { code, stderr } = await lily(["compose", "f.petal", "-o", "-"], { cwd: dir });
      assertEquals(code, 2, stderr);
      assertMatch(
        stderr,
        /error\[LILY-E0670\]: python step `both` needs exactly one.*\n {2}--> f\.petal:8:/,
      );
      assertMatch(
        stderr,
        /error\[LILY-E0672\]: python step `wasm`: unknown `with\.runtime`.*\n {2}--> f\.petal:11:/,
      );
      assertMatch(
        stderr,
        /error\[LILY-E0675\]: python step `odd`: unknown field `with\.packges`.*\n {2}--> f\.petal:14:/,
      );
      assertMatch(
        stderr,
        /error\[LILY-E0678\]: `with\.code` of python step `tpl` templates a param.*\n {2}--> f\.petal:20:27\n/,
      );
      // In a block: the caret is at the `{{` (line 26, col 16), the hint names the real param.
      assertMatch(
        stderr,
        /error\[LILY-E0678\]: `with\.code` of python step `blk` templates a param.*\n {2}--> f\.petal:26:16\n/,
      );
      assertMatch(stderr, /inputs: \{who: \{from: params\.who\}\}`, then `lily\.inputs\["who"\]`/);
      assertMatch(
        stderr,
        /error\[LILY-E0671\]: `with\.file` of python step `out` leaves the project.*\n {2}--> f\.petal:17:/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const SYSTEM_PY = "/usr/bin/python3";
const hasNumpy = (() => {
  if (Deno.build.os !== "linux" || !hasTool(SYSTEM_PY)) return false;
  try {
    return new Deno.Command(SYSTEM_PY, { args: ["-c", "import numpy, sklearn"] }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "python packages: sync imports and pins numpy/scikit-learn; run uses them; drift refused",
  ignore: Deno.build.os !== "linux" || (!hasNumpy && Deno.env.get("CI") !== "true" &&
    (console.warn(
      "SKIP: needs numpy and scikit-learn for /usr/bin/python3 (apt-get install python3-numpy python3-sklearn; fails under CI=true)",
    ),
      true)) ||
    skipUnless("bwrap"),
  fn: async () => {
    const versions = new TextDecoder().decode(
      new Deno.Command(SYSTEM_PY, {
        args: ["-c", "import numpy, sklearn; print(numpy.__version__, sklearn.__version__)"],
        stdout: "piped",
      }).outputSync().stdout,
    ).trim().split(" ");
    const dir = await project({
      "flow.petal": flow(`  - id: fit
    uses: python
    outputs: { score: { type: float } }
    cache: { policy: never }
    with:
      python: ${SYSTEM_PY}
      packages: [scikit-learn, numpy]
      code: |
        import lily, numpy as np
        from sklearn.linear_model import LinearRegression
        x = np.arange(10).reshape(-1, 1)
        lily.output("score", float(LinearRegression().fit(x, 2 * x.ravel() + 1).score(x, 2 * x.ravel() + 1)))
`),
    });
    try {
      const before = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
      assertMatch(
        before,
        /python_packages:\n {4}"?\/usr\/bin\/python3"?:\n {6}numpy: null\n {6}scikit-learn: null\n/,
      );
      const sync = await lily(["sync", "flow.lock.yaml"], { cwd: dir });
      assertEquals(sync.code, 0, sync.stdout + sync.stderr);
      assertMatch(
        sync.stdout,
        new RegExp(`✓ python package numpy ${versions[0].replaceAll(".", "\\.")}`),
      );
      const after = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
      assertMatch(
        after,
        new RegExp(`numpy: "?${versions[0]}"?\\n {6}scikit-learn: "?${versions[1]}"?\\n`),
      );
      const hash = (t: string) => /spec_hash: (\S+)/.exec(t)![1];
      assertEquals(hash(after), hash(before));
      let out = await run(dir, ["--locked"]);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(latestManifest(dir).steps.fit.outputs.score.value, 1);
      // Drift: the lock pins another numpy than the one here.
      await Deno.writeTextFile(
        `${dir}/flow.lock.yaml`,
        after.replace(new RegExp(`numpy: "?${versions[0]}"?`), 'numpy: "0.0.1"'),
      );
      out = await run(dir, ["--locked"]);
      assertEquals(out.code, 2, out.stderr + out.stdout);
      assertMatch(out.stderr, /LILY-E0681/);
      assertMatch(
        out.stderr,
        new RegExp(`numpy \\(/usr/bin/python3\\): ${versions[0]} here, the lock pins 0\\.0\\.1`),
      );
      // The same through the workflow (its existing lock is the one at locks/… by default).
      await Deno.mkdir(`${dir}/locks`, { recursive: true });
      await Deno.copyFile(`${dir}/flow.lock.yaml`, `${dir}/locks/flow.petal.lock.yaml`);
      const viaPetal = await lily(["run", "flow.petal", "--locked"], { cwd: dir });
      assertEquals(viaPetal.code, 2, viaPetal.stderr + viaPetal.stdout);
      assertMatch(viaPetal.stderr, /LILY-E0681/);
      // Without --locked, the step itself refuses at the moment of use.
      out = await run(dir);
      assertEquals(out.code, 1, out.stderr + out.stdout);
      assertMatch(
        await logOf(dir, "fit"),
        new RegExp(
          `python package numpy is ${versions[0]} here, the lock pins 0\\.0\\.1 \\(drift\\)`,
        ),
      );
      const resync = await lily(["sync", "flow.lock.yaml"], { cwd: dir });
      assertEquals(resync.code, 1, resync.stdout + resync.stderr);
      assertMatch(resync.stdout, /✗ python package numpy .*the lock pins 0\.0\.1/);
      // Re-pin: lock refresh clears the versions, sync takes them again.
      const refresh = await lily(["lock", "refresh", "flow.lock.yaml"], { cwd: dir });
      assertEquals(refresh.code, 0, refresh.stdout + refresh.stderr);
      assertEquals((await lily(["sync", "flow.lock.yaml"], { cwd: dir })).code, 0);
      assertEquals((await run(dir, ["--locked"])).code, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "python packages: a package that does not import is a sync error (LILY-E0680)",
  ignore: ignore || skipUnless("bwrap"),
  fn: async () => {
    const dir = await project({
      "flow.petal": flow(`  - id: p
    uses: python
    with: { packages: [no-such-package-lily], code: "print(1)" }
`),
    });
    try {
      const sync = await lily(["sync", "flow.lock.yaml"], { cwd: dir });
      assertEquals(sync.code, 2, sync.stdout + sync.stderr);
      assertMatch(sync.stderr, /LILY-E0680.*`no-such-package-lily`/);
      assertMatch(sync.stderr, /not installed for /);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** A module of python3 whose distribution has another name (`yaml` → `PyYAML`), if any. */
const moduleNotDist = (() => {
  if (ignore) return undefined;
  const pick = "import importlib.metadata as m\n" +
    "n = lambda s: s.lower().replace('_', '-')\n" +
    "c = sorted((t, d[0]) for t, d in m.packages_distributions().items()\n" +
    "    if not t.startswith('_') and n(t) not in {n(x) for x in d})\n" +
    "c = [x for x in c if x[0] == 'yaml'] or c\n" +
    "print(' '.join(c[0]) if c else '')";
  try {
    const out = new Deno.Command("python3", { args: ["-c", pick], stdout: "piped" }).outputSync();
    const [module, dist] = new TextDecoder().decode(out.stdout).trim().split(" ");
    return module && dist ? { module, dist } : undefined;
  } catch {
    return undefined;
  }
})();

Deno.test({
  name: "python packages: a module name (yaml) is refused with its distribution's name (PyYAML)",
  ignore: ignore || skipUnless("bwrap") || (!moduleNotDist && Deno.env.get("CI") !== "true" &&
    (console.warn(
      "SKIP: python3 has no installed module whose distribution has another name (fails under CI=true)",
    ),
      true)),
  fn: async () => {
    const { module, dist } = moduleNotDist!;
    const dir = await project({
      "flow.petal": flow(`  - id: p
    uses: python
    with: { packages: [${module}], code: "import ${module}" }
`),
    });
    try {
      const sync = await lily(["sync", "flow.lock.yaml"], { cwd: dir });
      assertEquals(sync.code, 2, sync.stdout + sync.stderr);
      assert(
        sync.stderr.includes(`${module} is a module; its distribution is ${dist}`),
        sync.stderr,
      );
      assertMatch(sync.stderr, /names distributions as pip and apt know them/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a pyenv shim is pinned as the interpreter it starts (nothing is run at compose)",
  ignore: Deno.build.os !== "linux" || skipUnless("python3"),
  fn: async () => {
    const dir = await tempProject({
      "flow.petal": flow(`  - id: p
    uses: python
    with: { code: "print(1)" }
`),
      ".python-version": "9.9.9\n",
    });
    try {
      const pyenv = `${dir}/.pyenv-test`;
      await Deno.mkdir(`${pyenv}/shims`, { recursive: true });
      await Deno.mkdir(`${pyenv}/versions/9.9.9/bin`, { recursive: true });
      await Deno.mkdir(`${pyenv}/libexec`, { recursive: true });
      // The shim would leave a mark if it were started.
      await Deno.writeTextFile(
        `${pyenv}/shims/python3`,
        `#!/usr/bin/env bash\nset -e\ntouch "${dir}/shim-ran"\nprogram="\${0##*/}"\n\nexport PYENV_ROOT="${pyenv}"\nexec "${pyenv}/libexec/pyenv" exec "$program" "$@"\n`,
      );
      await Deno.chmod(`${pyenv}/shims/python3`, 0o755);
      const real = Deno.realPathSync(SYSTEM_PY);
      await Deno.copyFile(real, `${pyenv}/versions/9.9.9/bin/python3`);
      await Deno.chmod(`${pyenv}/versions/9.9.9/bin/python3`, 0o755);
      const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], {
        cwd: dir,
        env: { PATH: `${pyenv}/shims:/usr/bin:/bin` },
      });
      assertEquals(out.code, 0, out.stderr);
      const lock = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
      assertMatch(
        lock,
        new RegExp(`python3:\\n {6}path: "?${pyenv}/versions/9\\.9\\.9/bin/python3"?\\n`),
      );
      assert(!lock.includes("/shims/"), lock);
      assertEquals(await Deno.stat(`${dir}/shim-ran`).catch(() => null), null);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "python attack: a listed program name that PATH resolves to another file is refused",
  ignore: ignore || skipUnless("touch"),
  fn: async () => {
    const dir = await project({
      "bin/touch": '#!/bin/sh\necho evil > "$LILY_PROJECT_ROOT/pwned"\n',
      "flow.petal": flow(`  - id: shadow
    uses: python
    env: { PATH: "bin:/usr/bin:/bin" }
    resources: { binaries: [touch] }
    with:
      code: |
        import subprocess
        subprocess.run(["touch", "made"])
`),
    });
    try {
      await Deno.chmod(`${dir}/bin/touch`, 0o755);
      for (const isolation of ["auto", "none"]) {
        const out = await run(dir, ["--isolation", isolation]);
        assertEquals(out.code, 1, out.stderr + out.stdout);
        const log = await logOf(dir, "shadow");
        assertMatch(
          log,
          /lily: denied: starting program 'touch' \(\S+\/bin\/touch, not the pinned \/\S+\/touch\) \(audit event subprocess\.Popen\)/,
        );
        assertMatch(log, /subprocess\.run\(\[lily\.programs\['touch'\], \.\.\.\]\)/);
        assertEquals(await Deno.stat(`${dir}/pwned`).catch(() => null), null);
        assertEquals(await Deno.stat(`${dir}/made`).catch(() => null), null);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "python: a with.file that does not exist is refused at compose (E0679), did-you-mean",
  fn: async () => {
    const dir = await tempProject({
      "scripts/report.py": "print(1)\n",
      "f.petal": flow(`  - id: rep
    uses: python
    with: { file: scripts/reprot.py }
  - id: far
    uses: python
    with:
      file: nothing/like/it.py
`),
    });
    try {
      for (const args of [["compose", "f.petal", "-o", "-"], ["run", "f.petal"]]) {
        const { code, stderr } = await lily(args, { cwd: dir });
        assertEquals(code, 2, stderr);
        assertMatch(
          stderr,
          /error\[LILY-E0679\]: `with\.file` of python step `rep`: scripts\/reprot\.py is not a file.*\n {2}--> f\.petal:6:19\n/,
        );
        assertMatch(stderr, /did you mean `scripts\/report\.py`\?/);
        assertMatch(
          stderr,
          /error\[LILY-E0679\]: `with\.file` of python step `far`.*\n {2}--> f\.petal:10:13\n/,
        );
        assert(!/_python_file/.test(stderr), stderr);
      }
      // Nothing ran: no run directory was made.
      let runs = 0;
      try {
        runs = [...Deno.readDirSync(`${dir}/.lily/runs`)].length;
      } catch { /* none */ }
      assertEquals(runs, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
