// The package is publishable as it stands: `deno publish --dry-run` passes (license, no slow
// types in the public API), and every dependency in deno.json is imported by something.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { denoDir } from "../_tools.ts";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("`deno publish --dry-run` passes and ships the license", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: root,
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", DENO_DIR: denoDir() },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, text);
  assertMatch(text, /\/LICENSE \(/);
  assert(!/^error|error\[/m.test(text), text);
  assertMatch(text, /Success Dry run complete/);
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  assertEquals(config.license, "MIT");
  assertMatch(await Deno.readTextFile(`${root}LICENSE`), /Copyright \(c\) 2026 The Lily authors/);
});

Deno.test("every dependency in deno.json is imported somewhere", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  const sources: string[] = [];
  async function walk(dir: string) {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory && !e.name.startsWith(".") && e.name !== "node_modules") {
        await walk(`${dir}/${e.name}`);
      } else if (e.isFile && e.name.endsWith(".ts")) {
        sources.push(await Deno.readTextFile(`${dir}/${e.name}`));
      }
    }
  }
  for (const dir of ["src", "adapters", "scripts", "tests"]) await walk(`${root}${dir}`);
  sources.push(await Deno.readTextFile(`${root}mod.ts`));
  const all = sources.join("\n");
  const unused = Object.keys(config.imports).filter((name) =>
    !all.includes(`from "${name}"`) && !all.includes(`import("${name}")`) &&
    !all.includes(`from "${name}/`)
  );
  assertEquals(unused, []);
});
