// `set`: options on and off (seen in `$-`), positional parameters, and bad options.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { parseScript } from "../../../src/shell/parser.ts";
import { out, status } from "./_sh.ts";

Deno.test("set: -e/+e, -u, -x and -o pipefail show in $- and in behaviour", async () => {
  assertEquals(await out('echo $-; set +e; echo "[$-]"; set -eux; echo $-'), "e\n[]\n" + "exu\n");
});

Deno.test("set: an unknown option or a positional argument is status 2", async () => {
  const bad = await status("set -q");
  assertEquals(bad.stdout, "status=2\n");
  assertMatch(bad.stderr, /-q: invalid option/);
  assertEquals((await status("set -o nosuch")).stdout, "status=2\n");
  // Names on Object.prototype are not options.
  for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
    assertEquals((await status(`set -o ${name}`)).stdout, "status=2\n", name);
  }
});

Deno.test("set: arguments set the positional parameters (`set --`, `set a b`, after options)", async () => {
  assertEquals(await out('set a b; echo "$# $1 $2"'), "2 a b\n");
  assertEquals(await out('set -- -x "y z"; echo "$# $1|$2"'), "2 -x|y z\n");
  assertEquals(await out('set +e -- x; echo "$# $1"; set --; echo "$#"'), "1 x\n0\n");
  assertEquals(await out('set -o pipefail x; echo "$1"'), "x\n");
  parseScript("set -eu -o pipefail +o xtrace");
});
