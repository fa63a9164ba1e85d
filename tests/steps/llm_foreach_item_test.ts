// An llm step inside a foreach reads its item as `$LILY_INPUT_ITEM`, as every inner step does
// (docs/foreach.md): compose used to refuse the placeholder (LILY-E0996, "names no input") because
// the llm check knew only the step's declared inputs. Found building examples/llm.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const flow = (items: string) =>
  `petal: "1"
name: items
steps:
  - id: list
    uses: shell
    with: { run: 'echo "names=[\\"ann\\", \\"bo\\"]" >> "$LILY_OUTPUT"' }
    outputs: { names: { type: json } }
  - id: greet
    uses: foreach
    with:
      items: ${items}
      key: "{{ item }}"
      step:
        uses: llm
        with: { provider: fake, model: demo, prompt: "Greet $LILY_INPUT_ITEM" }
        outputs: { text: { type: str } }
`;

for (const [when, items] of [["compose", "[ann, bo]"], ["run", "steps.list.outputs.names"]]) {
  Deno.test(`an llm step in a foreach (items known at ${when}) gets the item in its prompt`, async () => {
    const dir = await tempProject({ ".lilyrc": "", "f.petal": flow(items) });
    try {
      const { code, stderr } = await lily(["run", "f.petal", "--json"], { cwd: dir });
      assertEquals(code, 0, stderr);
      const runs = [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) => e.name);
      assertEquals(runs.length, 1);
      // The fake provider echoes the prompt it was sent: the item reached it, per sub-step.
      for (const name of ["ann", "bo"]) {
        const answer = JSON.parse(
          await Deno.readTextFile(`${dir}/.lily/runs/${runs[0]}/llm/greet_${name}.1.response.json`),
        );
        assertMatch(answer.text, new RegExp(`: Greet ${name}$`));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("an llm step outside a foreach still may not name $LILY_INPUT_ITEM", async () => {
  const dir = await tempProject({
    ".lilyrc": "",
    "f.petal": `petal: "1"
name: plain
steps:
  - id: greet
    uses: llm
    with: { provider: fake, model: demo, prompt: "Greet $LILY_INPUT_ITEM" }
`,
  });
  try {
    const { code, stderr } = await lily(["compose", "f.petal", "-o", "-"], { cwd: dir });
    assertEquals(code, 2, stderr);
    assertMatch(stderr, /LILY-E0996.*`\$LILY_INPUT_ITEM` names no input of the step/);
    assert(stderr.includes("--> f.petal:6:"), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
