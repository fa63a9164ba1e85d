// Lily's state is out of every step's reach by construction (a mount, not a path string): a
// step moved the project root with Lily's own `mv` and read `.lily/` through the new path.
// Here the project may write its parent (so the move itself is allowed to Lily's shell); the
// step tries the move, then reads `.lily/` and the user cache through the new path, with
// built-ins and with a program.
import { assert } from "../_assert.ts";
import { cleanup, CONFIGS, projectIn, runIn, skipConfig } from "./_configs.ts";

const FLOW = `petal: "1"
name: state
steps:
  - id: steal
    uses: shell
    resources: {binaries: [python3]}
    with:
      run: |
        mv ../proj ../moved
        cat ../moved/.lily/planted.txt > ../stolen-builtin.txt || true
        python3 ../moved/steal.py || true
        mv ../moved ../proj
`;

const STEAL = `stolen = []
for path in ["../moved/.lily/planted.txt", "../moved/.xdg/lily/planted.txt"]:
    try:
        stolen.append(open(path).read())
    except OSError as e:
        stolen.append(str(e))
open("../stolen-program.txt", "w").write("\\n".join(stolen))
`;

function read(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

for (const config of CONFIGS) {
  Deno.test({
    name: `attack [${config.name}]: moving the project root does not open .lily/ or the user cache`,
    ignore: skipConfig(config),
    async fn() {
      const dir = await projectIn(config, {
        "flow.petal": FLOW,
        "steal.py": STEAL,
        ".lilyrc": 'read_roots: [".", ".."]\nwrite_roots: [".", ".."]\n',
        ".xdg/lily/planted.txt": "CACHE-STATE",
      }, { parent: "proj" });
      const outer = dir.slice(0, dir.lastIndexOf("/"));
      try {
        Deno.mkdirSync(`${dir}/.lily`, { recursive: true });
        Deno.writeTextFileSync(`${dir}/.lily/planted.txt`, "LILY-STATE");
        if (config.unprivileged) {
          await new Deno.Command("chown", { args: ["-R", "lilytest:", outer] }).output();
        }
        await runIn(config, dir);
        const stolen = read(`${outer}/stolen-builtin.txt`) + read(`${outer}/stolen-program.txt`);
        assert(!/LILY-STATE|CACHE-STATE/.test(stolen), `the step read Lily's state: ${stolen}`);
      } finally {
        await cleanup(dir);
      }
    },
  });
}
