// A host keeps an attempt's directory for its next attempt only when the attempt left it empty
// (src/sandbox/scratch.ts). Three steps of one policy run one after the other in one host
// (-j 1): `a` leaves a file in its TMPDIR, `b` must see nothing of it (and gets a new
// directory), `b` leaves nothing, so `c` gets b's directory back — empty.
import { assertEquals, assertNotEquals } from "../_assert.ts";
import { cleanup, CONFIGS, projectIn, runIn, skipConfig } from "./_configs.ts";

const LIST = `for f in "$TMPDIR"/* "$TMPDIR"/.[!.]*; do if test -e "$f"; then echo "$f"; fi; done`;

const FLOW = `petal: "1"
name: reuse
steps:
  - id: a
    uses: shell
    with: {run: 'echo "$TMPDIR" > a.txt; echo secret > "$TMPDIR/left"; echo x > "$TMPDIR/.hidden"'}
  - id: b
    uses: shell
    needs: [a]
    with: {run: 'echo "$TMPDIR" > b.txt; ${LIST} > b-seen.txt'}
  - id: c
    uses: shell
    needs: [b]
    with: {run: 'echo "$TMPDIR" > c.txt; ${LIST} > c-seen.txt'}
`;

for (const config of CONFIGS) {
  Deno.test({
    name: `attack [${config.name}]: a step sees nothing a previous step of its host left in TMPDIR`,
    ignore: skipConfig(config),
    async fn() {
      const dir = await projectIn(config, { "flow.petal": FLOW });
      try {
        const out = await runIn(config, dir, ["-j", "1"]);
        assertEquals(out.code, 0, out.stdout + out.stderr);
        const read = (name: string) => Deno.readTextFileSync(`${dir}/${name}`).trim();
        assertEquals(read("b-seen.txt"), "");
        assertEquals(read("c-seen.txt"), "");
        assertNotEquals(read("a.txt"), read("b.txt"));
        // b left its directory empty: the host's next attempt reuses it.
        assertEquals(read("b.txt"), read("c.txt"));
      } finally {
        await cleanup(dir);
      }
    },
  });
}
