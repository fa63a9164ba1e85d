/**
 * An input's binding: `from: params.<name>` or `from: steps.<id>.outputs.<name>` (declared,
 * reachable through `needs:`, type-compatible, secrets only into secrets) or a project `path:`.
 * @module
 */
import { didYouMean, LilyError, listNames } from "../errors.ts";
import type { LockIO } from "../schema/lock.ts";
import type { IODecl, Step, ValueType } from "../schema/petal.ts";
import { unsafePath } from "./project_path.ts";
import type { StepContext } from "./types.ts";
import { acceptedBy, typesCompatible } from "./value_types.ts";

/** One input of a step, as declared. */
export interface InputBinding {
  step: Step;
  name: string;
  decl: IODecl;
}

/** The lock form of one input, or why it cannot be bound. */
export function bindInput(binding: InputBinding, context: StepContext): LockIO | LilyError {
  const { step, name, decl } = binding;
  const { dag, mainDag, outputsOf, inputs, where, list } = context;
  const path = [...context.path, "inputs", name];
  const base = {
    required: decl.required ?? true,
    ...(decl.path !== undefined ? { path: decl.path } : {}),
    ...(decl.schema !== undefined ? { schema: decl.schema } : {}),
  };
  if (decl.from === undefined) {
    if (decl.path === undefined) {
      return new LilyError(
        "LILY-E0610",
        `input \`${name}\` of step \`${step.id}\` has no \`from:\` or \`path:\``,
        {
          span: where(path, true),
          hint:
            "bind it to `from: steps.<id>.outputs.<name>` or `from: params.<name>`, or name a project file with `path:`",
        },
      );
    }
    const bad = unsafePath(decl.path);
    if (bad) {
      return new LilyError("LILY-E0611", `input path \`${decl.path}\` ${bad}`, {
        span: where([...path, "path"]),
        hint: "input paths are relative to the project root and stay inside it",
      });
    }
    return { type: decl.type ?? "file", ...base };
  }
  const from = decl.from.trim();
  const param = /^params\.([A-Za-z_][A-Za-z0-9_.]*)$/.exec(from);
  // A foreach sub-step is `<id>@<key>` (steps/foreach_keys.ts: a key may hold `.`); an included
  // step is `<include id>.<inner id>`.
  const output =
    /^steps\.([A-Za-z_][A-Za-z0-9_.-]*(?:@[A-Za-z0-9_.=+-]+)?)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)$/
      .exec(from);
  // Located only when an error needs it: the happy path makes no span per input.
  const span = () => where([...path, "from"]);
  let sourceType: ValueType;
  if (param) {
    const declared = Object.keys(inputs.paramTypes);
    const type = Object.hasOwn(inputs.paramTypes, param[1])
      ? inputs.paramTypes[param[1]]
      : undefined;
    if (!type) {
      const guess = didYouMean(param[1], declared);
      return new LilyError(
        "LILY-E0615",
        `input \`${name}\` reads \`params.${param[1]}\`, which is not declared`,
        {
          span: span(),
          hint: guess
            ? `did you mean \`params.${guess}\`?`
            : `declared params: ${listNames(declared) || "none"}`,
        },
      );
    }
    sourceType = type;
  } else if (output) {
    const [, sourceId, outputName] = output;
    const outputs = outputsOf.get(sourceId);
    if (!outputs) {
      const guess = didYouMean(sourceId, [...outputsOf.keys()]);
      return new LilyError(
        "LILY-E0616",
        `input \`${name}\` reads from step \`${sourceId}\`, which is not defined`,
        {
          span: span(),
          hint: guess ? `did you mean \`${guess}\`?` : undefined,
        },
      );
    }
    const out = outputs[outputName];
    if (!out) {
      const names = Object.keys(outputs);
      const guess = didYouMean(outputName, names);
      return new LilyError(
        "LILY-E0608",
        `step \`${sourceId}\` declares no output \`${outputName}\``,
        {
          span: span(),
          label: "undeclared data flow",
          hint: guess
            ? `did you mean \`steps.${sourceId}.outputs.${guess}\`?`
            : names.length
            ? `its outputs are ${listNames(names)}`
            : `declare it: \`outputs: {${outputName}: {type: str}}\` on step \`${sourceId}\``,
        },
      );
    }
    const inSameList = dag.needs.has(sourceId);
    if (inSameList && !dag.dependsOn(step.id, sourceId)) {
      return new LilyError(
        "LILY-E0607",
        `step \`${step.id}\` reads an output of \`${sourceId}\` but does not need it`,
        {
          span: span(),
          hint: `add \`${sourceId}\` to \`needs:\` of \`${step.id}\` so it runs first`,
        },
      );
    }
    if (!inSameList && !(list === "on_error" && mainDag?.needs.has(sourceId))) {
      return new LilyError(
        "LILY-E0616",
        `input \`${name}\` reads from step \`${sourceId}\`, which is not defined`,
        { span: span() },
      );
    }
    sourceType = out.type ?? (out.path !== undefined ? "file" : "str");
  } else {
    return new LilyError("LILY-E0605", `\`from: ${from}\` is not a valid source`, {
      span: span(),
      hint: "write `from: steps.<id>.outputs.<name>` or `from: params.<name>`",
    });
  }
  const type = decl.type ?? sourceType;
  if (sourceType === "secret" && type !== "secret") {
    return new LilyError(
      "LILY-E0609",
      `secret \`${from}\` flows into input \`${name}\`, which is not a secret`,
      {
        span: where(decl.type ? [...path, "type"] : path, !decl.type),
        hint:
          "declare the input `type: secret`; it reaches the step as an environment variable and is masked in logs",
      },
    );
  }
  if (!typesCompatible(sourceType, type)) {
    return new LilyError(
      "LILY-E0606",
      `input \`${name}\` of step \`${step.id}\` is \`${type}\`, but \`${from}\` is \`${sourceType}\``,
      {
        span: where(decl.type ? [...path, "type"] : [...path, "from"]),
        hint: `make the types agree (an input of type \`${type}\` accepts ${acceptedBy(type)})`,
      },
    );
  }
  return { type, from, ...base };
}
