// A secret must not appear, in any form, in any byte Lily writes: console, logs, events,
// manifest, cache, lock, errors.
import { assert, assertEquals } from "../_assert.ts";
import { lily } from "../_tools.ts";
import { filesUnder, project } from "../run/_run.ts";

const SECRET = 'Sup3r"S3cret/+=%value';

const FLOW = `petal: "1"
name: leaky
params:
  token: {type: secret, source: "env:API_TOKEN"}
steps:
  - id: leak
    uses: shell
    inputs: {token: {from: params.token}}
    resources: {binaries: [base64, sed, python3, cut, tr, env, grep]}
    with:
      run: |
        echo "plain: $LILY_INPUT_TOKEN"
        printf 'base64: '; printf '%s' "$LILY_INPUT_TOKEN" | base64
        printf 'shifted: '; printf 'x%s' "$LILY_INPUT_TOKEN" | base64
        printf 'json: '; printf '%s' "$LILY_INPUT_TOKEN" | sed 's/["\\\\]/\\\\&/g'; echo
        printf 'url: '; python3 -c 'import os, urllib.parse; print(urllib.parse.quote(os.environ["LILY_INPUT_TOKEN"], safe=""))'
        printf 'split: '; printf '%s' "$LILY_INPUT_TOKEN" | cut -c1-8 | tr -d '\\n'; sleep 0.2; printf '%s\\n' "$LILY_INPUT_TOKEN" | cut -c9-
        echo "leaked=$LILY_INPUT_TOKEN" >> "$LILY_OUTPUT"
        echo "to stderr: $LILY_INPUT_TOKEN" >&2
        env | grep -q API_TOKEN && echo "host variable visible"
        exit 1
    outputs: {leaked: {type: str}}
  - id: after
    uses: shell
    needs: [leak]
    if: always()
    with: {run: 'echo done'}
`;

function forms(): string[] {
  const b64 = (s: string) => btoa(s).replace(/=+$/, "");
  return [
    SECRET,
    encodeURIComponent(SECRET),
    JSON.stringify(SECRET).slice(1, -1),
    b64(SECRET),
    b64(`x${SECRET}`).slice(2, -2),
    "S3cret/+=%value",
  ];
}

Deno.test("no byte Lily writes contains the secret in any form", async () => {
  const dir = await project({ "flow.petal": FLOW });
  try {
    const env = { API_TOKEN: SECRET, XDG_CACHE_HOME: `${dir}/.xdg` };
    const out = await lily(["run", "flow.lock.yaml", "--verbose"], { cwd: dir, env });
    assertEquals(out.code, 1, "the step fails on purpose");
    const streamed = await lily(["run", "flow.lock.yaml", "--events", "-"], { cwd: dir, env });
    const shown = await lily(["runs", "show", "latest"], { cwd: dir });
    const written = filesUnder(dir).filter((f) => !f.startsWith("flow.petal"));
    assert(written.some((f) => f.includes("logs/leak.1.log")), "the step's log exists");
    const log = written.find((f) => f.includes("logs/leak.1.log"))!;
    const logText = Deno.readTextFileSync(`${dir}/${log}`);
    assert(logText.includes("plain: ***"), logText);
    assert(
      !logText.includes("host variable visible"),
      "the host's API_TOKEN is not in the step's environment",
    );
    const texts: [string, string][] = [
      ["stdout", out.stdout],
      ["stderr", out.stderr],
      ["events on stdout", streamed.stdout],
      ["runs show", shown.stdout],
      ...written.map((
        f,
      ): [string, string] => [f, new TextDecoder().decode(Deno.readFileSync(`${dir}/${f}`))]),
    ];
    for (const [where, text] of texts) {
      for (const form of forms()) {
        assert(!text.includes(form), `${JSON.stringify(form)} leaked in ${where}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing secret is refused before any step, with how to set it", async () => {
  const dir = await project({ "flow.petal": FLOW });
  try {
    const out = await lily(["run", "flow.lock.yaml"], {
      cwd: dir,
      env: { XDG_CACHE_HOME: `${dir}/.xdg` },
    });
    assertEquals(out.code, 2);
    assert(/LILY-E0051\]: secret `token` is not set/.test(out.stderr), out.stderr);
    assert(/export LILY_SECRET_TOKEN=…`, or `export API_TOKEN=…/.test(out.stderr), out.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
