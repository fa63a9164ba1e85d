/**
 * Tool declarations: the `tools:` map of a project's `adapters/<adapter>.yaml`, checked
 * field by field (every problem reported, each at its position in the .yaml) and turned into
 * {@linkcode ToolDecl} values. Reads loaded data only: loading the file is compose's job
 * (compose/tools.ts), starting the tool is `sync`'s.
 * @module
 */
import { didYouMean, LilyError, listNames, type Span } from "../errors.ts";
import { spanAt } from "../expr/_span.ts";
import { lazyLocate } from "../source/locate.ts";
import { type ArgvPart, parseTemplate, placeholdersOf } from "./tool_argv.ts";
import { DEFAULT_VERSION_PATTERN, parseConstraint } from "./tool_version.ts";

/** Types a tool argument may have. */
export const ARG_TYPES = ["str", "int", "float", "bool", "path", "file", "dir"] as const;
/** One of {@linkcode ARG_TYPES}. */
export type ArgType = typeof ARG_TYPES[number];
/** A value an argument takes. */
export type ArgValue = string | number | boolean;
/** What a path argument is to the step: a file it reads, or one it writes. */
export const ARG_ROLES = ["input", "output"] as const;

/** A declared argument. */
export interface ToolArg {
  type: ArgType;
  required: boolean;
  default?: ArgValue;
  enum?: ArgValue[];
  /** `input`: the file enters the step's inputs (content in the cache key); `output`: its outputs. */
  role?: typeof ARG_ROLES[number];
  help?: string;
}

/** How `lily sync` takes and checks a tool's version. */
export interface ToolVersion {
  /** The constraint as written (`>=5.1 <8`), or null for any version. */
  constraint: string | null;
  /** The probe's arguments (`[-version]` for ffmpeg; default `[--version]`). */
  args: string[];
  /** A regular expression finding the version in the probe's first line, or null for the default. */
  pattern: string | null;
}

/** A declared tool. */
export interface ToolDecl {
  name: string;
  /** The adapter whose file declares it (`process`, `docker`). */
  adapter: string;
  /** The declaring file, relative to the project root (`adapters/process.yaml`). */
  file: string;
  description?: string;
  /** The program: a name on PATH, an absolute path or a project tool (process); in the image (docker). */
  binary?: string;
  /** The image reference (docker tools). */
  image?: string;
  version: ToolVersion;
  args: Record<string, ToolArg>;
  argv: ArgvPart[];
}

const TOOL_KEYS = ["description", "binary", "image", "version", "args", "argv"];
const ARG_KEYS = ["type", "required", "default", "enum", "role", "help"];
const VERSION_KEYS = ["constraint", "args", "pattern"];
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Checks the `tools:` of one adapter's file (`data`, loaded with origins) and returns the
 * declarations; problems go to `errors`. `strictTop`: only `tools:` may be at the top (the
 * process adapter has no other settings; another adapter's file may hold its own).
 */
export function readToolDecls(
  data: unknown,
  context: { adapter: string; file: string; strictTop: boolean },
  errors: LilyError[],
): Map<string, ToolDecl> {
  const decls = new Map<string, ToolDecl>();
  const at = (path: (string | number)[], key = false, content = false): Span =>
    lazyLocate(data, path, { key, content });
  const where = context.file;
  if (!isMap(data)) {
    errors.push(
      new LilyError("LILY-E0950", `${where} must be a map with \`tools:\``, {
        span: at([]),
        hint: "start it with `tools:` and one entry per tool (see docs/tools.md)",
      }),
    );
    return decls;
  }
  if (context.strictTop) {
    for (const key of Object.keys(data)) {
      if (key === "tools") continue;
      errors.push(
        unknownField(`${where}: unknown field \`${key}\``, key, ["tools"], at([key], true)),
      );
    }
  }
  const tools = data.tools;
  if (tools === undefined || tools === null) return decls;
  if (!isMap(tools)) {
    errors.push(
      new LilyError("LILY-E0950", `\`tools\` in ${where} must be a map of tool names`, {
        span: at(["tools"]),
        hint: "write `tools: {ffmpeg: {binary: ffmpeg, argv: [...]}}`",
      }),
    );
    return decls;
  }
  for (const [name, raw] of Object.entries(tools)) {
    const path = ["tools", name];
    if (!NAME.test(name)) {
      errors.push(
        new LilyError("LILY-E0950", `tool name \`${name}\` in ${where} is not a name`, {
          span: at(path, true),
          hint: "letters, digits, `_` and `-`, starting with a letter or `_`",
        }),
      );
      continue;
    }
    const decl = readTool(name, raw, {
      ...context,
      at: (p, key, content) => at([...path, ...p], key, content),
    }, errors);
    if (decl) decls.set(name, decl);
  }
  return decls;
}

type At = (path: (string | number)[], key?: boolean, content?: boolean) => Span;

function unknownField(message: string, key: string, allowed: string[], span: Span): LilyError {
  const guess = didYouMean(key, allowed);
  return new LilyError("LILY-E0949", message, {
    span,
    label: "unknown field",
    hint: guess ? `did you mean \`${guess}\`?` : `the fields are ${listNames(allowed)}`,
  });
}

function readTool(
  name: string,
  raw: unknown,
  context: { adapter: string; file: string; at: At },
  errors: LilyError[],
): ToolDecl | undefined {
  const { at, adapter } = context;
  const bad = (path: (string | number)[], message: string, hint: string) =>
    errors.push(
      new LilyError("LILY-E0950", `tool \`${name}\`: ${message}`, { span: at(path), hint }),
    );
  if (!isMap(raw)) {
    bad([], "must be a map", "give it `binary:`, `args:` and `argv:`");
    return undefined;
  }
  const before = errors.length;
  for (const key of Object.keys(raw)) {
    if (!TOOL_KEYS.includes(key)) {
      errors.push(
        unknownField(`tool \`${name}\`: unknown field \`${key}\``, key, TOOL_KEYS, at([key], true)),
      );
    }
  }
  const program = (key: "binary" | "image") => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "" || /\s/.test(value)) {
      bad([key], `\`${key}\` must be a program name or path`, "e.g. `binary: ffmpeg`");
      return undefined;
    }
    return value;
  };
  const binary = program("binary");
  const image = program("image");
  if (adapter === "docker") {
    if (raw.image === undefined) {
      bad(
        [],
        "a docker tool needs `image:`",
        "name the image: `image: docker.io/linuxserver/ffmpeg:6.1`",
      );
    }
  } else {
    if (raw.binary === undefined) {
      bad(
        [],
        "needs `binary:`",
        "name the program: `binary: ffmpeg` (looked up on PATH at compose)",
      );
    }
    if (raw.image !== undefined) {
      bad(
        ["image"],
        `\`image:\` belongs to tools of adapters/docker.yaml`,
        "remove it, or declare the tool in adapters/docker.yaml",
      );
    }
  }
  if (raw.description !== undefined && typeof raw.description !== "string") {
    bad(["description"], "`description` must be text", "write `description: Transcodes video`");
  }
  const version = readVersion(name, raw.version, at, errors);
  const args: Record<string, ToolArg> = {};
  if (raw.args !== undefined && !isMap(raw.args)) {
    bad(
      ["args"],
      "`args` must be a map of argument names",
      "write `args: {input: {type: file, role: input, required: true}}`",
    );
  } else {
    for (const [argName, decl] of Object.entries((raw.args ?? {}) as Record<string, unknown>)) {
      const arg = readArg(
        name,
        argName,
        decl,
        (p, key) => at(["args", argName, ...p], key),
        errors,
      );
      if (arg) args[argName] = arg;
    }
  }
  const broken = Object.keys(isMap(raw.args) ? raw.args : {}).filter((a) => !args[a]);
  const argv = readArgv(name, raw.argv, args, broken, at, errors);
  if (errors.length > before) return undefined;
  return {
    name,
    adapter,
    file: context.file,
    ...(typeof raw.description === "string" ? { description: raw.description } : {}),
    ...(binary !== undefined ? { binary } : {}),
    ...(image !== undefined ? { image } : {}),
    version,
    args,
    argv,
  };
}

function readVersion(name: string, raw: unknown, at: At, errors: LilyError[]): ToolVersion {
  const version: ToolVersion = { constraint: null, args: ["--version"], pattern: null };
  if (raw === undefined || raw === null) return version;
  const map = typeof raw === "string" || typeof raw === "number" ? { constraint: raw } : raw;
  const path = typeof raw === "string" || typeof raw === "number" ? [] : ["constraint"];
  if (!isMap(map)) {
    errors.push(
      new LilyError("LILY-E0952", `tool \`${name}\`: \`version\` must be a constraint or a map`, {
        span: at(["version"]),
        hint: 'write `version: ">=5.1 <8"`, or `version: {constraint: ">=5", args: [-version]}`',
      }),
    );
    return version;
  }
  for (const key of Object.keys(map)) {
    if (!VERSION_KEYS.includes(key)) {
      errors.push(
        unknownField(
          `tool \`${name}\`: unknown field \`version.${key}\``,
          key,
          VERSION_KEYS,
          at(["version", key], true),
        ),
      );
    }
  }
  if (typeof map.constraint === "number") {
    // YAML read it as a number: `5.10` is already 5.1, so the constraint is not what was written.
    errors.push(
      new LilyError(
        "LILY-E0958",
        `tool \`${name}\`: the version constraint is the number ${map.constraint}, not text`,
        {
          span: at(["version", ...path]),
          label: "a YAML number",
          hint:
            'quote it: `version: ">=5.10"` (unquoted, YAML reads 5.10 as the number 5.1 and a constraint would change silently)',
        },
      ),
    );
  } else if (map.constraint !== undefined) {
    const text = String(map.constraint);
    const parsed = typeof map.constraint === "string" || typeof map.constraint === "number"
      ? parseConstraint(text)
      : "it is not text";
    if (typeof parsed === "string") {
      errors.push(
        new LilyError(
          "LILY-E0952",
          `tool \`${name}\`: the version constraint \`${text}\` is not valid: ${parsed}`,
          {
            span: at(["version", ...path]),
            hint:
              "comparators `>=5.1`, `>5`, `<=7`, `<8`, `=6.1.1`, `^6`, `~6.1` or `6.1`, joined by spaces (all hold) or `||`",
          },
        ),
      );
    } else version.constraint = text.trim();
  }
  if (map.args !== undefined) {
    if (
      !Array.isArray(map.args) || map.args.length === 0 ||
      map.args.some((a) => typeof a !== "string")
    ) {
      errors.push(
        new LilyError(
          "LILY-E0952",
          `tool \`${name}\`: \`version.args\` must be a list of strings`,
          {
            span: at(["version", "args"]),
            hint: "the probe's arguments, e.g. `args: [-version]` for ffmpeg",
          },
        ),
      );
    } else version.args = map.args as string[];
  }
  if (map.pattern !== undefined) {
    let ok = typeof map.pattern === "string";
    try {
      if (ok) new RegExp(map.pattern as string);
    } catch {
      ok = false;
    }
    if (!ok) {
      errors.push(
        new LilyError(
          "LILY-E0952",
          `tool \`${name}\`: \`version.pattern\` is not a regular expression`,
          {
            span: at(["version", "pattern"]),
            hint: `its first group is the version; the default is \`${DEFAULT_VERSION_PATTERN}\``,
          },
        ),
      );
    } else version.pattern = map.pattern as string;
  }
  return version;
}

function readArg(
  tool: string,
  name: string,
  raw: unknown,
  at: At,
  errors: LilyError[],
): ToolArg | undefined {
  const before = errors.length;
  const bad = (path: (string | number)[], message: string, hint: string) =>
    errors.push(
      new LilyError("LILY-E0950", `tool \`${tool}\`, argument \`${name}\`: ${message}`, {
        span: at(path),
        hint,
      }),
    );
  if (!ARG_NAME.test(name)) {
    errors.push(
      new LilyError("LILY-E0950", `tool \`${tool}\`: argument name \`${name}\` is not a name`, {
        span: at([], true),
        hint:
          "letters, digits and `_`, starting with a letter or `_` (it may become an input or output name)",
      }),
    );
    return undefined;
  }
  // `crf: int` is short for `crf: {type: int}`.
  const map = typeof raw === "string" ? { type: raw } : raw;
  if (!isMap(map)) {
    bad([], "must be a type or a map", "write `crf: {type: int, default: 23}` or `crf: int`");
    return undefined;
  }
  for (const key of Object.keys(map)) {
    if (!ARG_KEYS.includes(key)) {
      errors.push(
        unknownField(
          `tool \`${tool}\`, argument \`${name}\`: unknown field \`${key}\``,
          key,
          ARG_KEYS,
          at([key], true),
        ),
      );
    }
  }
  const type = map.type ?? "str";
  if (!(ARG_TYPES as readonly unknown[]).includes(type)) {
    const guess = typeof type === "string" ? didYouMean(type, ARG_TYPES) : undefined;
    bad(
      typeof raw === "string" ? [] : ["type"],
      `unknown type \`${String(type)}\``,
      guess ? `did you mean \`${guess}\`?` : `types: ${listNames(ARG_TYPES)}`,
    );
    return undefined;
  }
  const arg: ToolArg = { type: type as ArgType, required: false };
  if (map.required !== undefined) {
    if (typeof map.required !== "boolean") {
      bad(["required"], "`required` must be true or false", "write `required: true`");
    } else arg.required = map.required;
  }
  if (map.help !== undefined) {
    if (typeof map.help !== "string") {
      bad(["help"], "`help` must be text", "describe the argument in a sentence");
    } else arg.help = map.help;
  }
  if (map.role !== undefined) {
    if (!(ARG_ROLES as readonly unknown[]).includes(map.role)) {
      bad(
        ["role"],
        `unknown role \`${String(map.role)}\``,
        "`role: input` (a file the tool reads) or `role: output` (a file it writes)",
      );
    } else if (arg.type !== "file" && arg.type !== "dir") {
      bad(
        ["role"],
        `a \`role\` needs \`type: file\` or \`type: dir\`, not \`${arg.type}\``,
        "make the argument `type: file`",
      );
    } else arg.role = map.role as ToolArg["role"];
  }
  if (map.enum !== undefined) {
    if (!Array.isArray(map.enum) || map.enum.length === 0) {
      bad(
        ["enum"],
        "`enum` must be a non-empty list of values",
        "write `enum: [libx264, libvpx-vp9]`",
      );
    } else {
      const values: ArgValue[] = [];
      map.enum.forEach((v, i) => {
        const checked = coerceArg(arg, v);
        if ("error" in checked) {
          bad(
            ["enum", i],
            `enum value ${JSON.stringify(v)} ${checked.error}`,
            `every value must be a \`${arg.type}\``,
          );
        } else values.push(checked.value);
      });
      arg.enum = values;
    }
  }
  if (map.default !== undefined && map.default !== null) {
    const checked = coerceArg(arg, map.default);
    if ("error" in checked) {
      bad(["default"], `the default ${checked.error}`, `give a value of type \`${arg.type}\``);
    } else if (arg.enum && !arg.enum.includes(checked.value)) {
      bad(
        ["default"],
        `the default ${JSON.stringify(checked.value)} is not in \`enum\``,
        `one of ${listNames(arg.enum.map(String))}`,
      );
    } else arg.default = checked.value;
    if (arg.required) {
      bad(
        ["required"],
        "is required and has a default",
        "drop one: a default makes the argument optional",
      );
    }
  }
  return errors.length > before ? undefined : arg;
}

/** A value checked against an argument's type (template output is text: `"23"` is an int). */
export function coerceArg(
  arg: Pick<ToolArg, "type">,
  value: unknown,
): { value: ArgValue } | { error: string } {
  switch (arg.type) {
    case "int":
      if (typeof value === "number" && Number.isInteger(value)) return { value };
      if (typeof value === "string" && /^-?\d+$/.test(value.trim())) {
        return { value: Number(value.trim()) };
      }
      return { error: "is not an integer" };
    case "float":
      if (typeof value === "number" && Number.isFinite(value)) return { value };
      if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
        return { value: Number(value) };
      }
      return { error: "is not a number" };
    case "bool":
      if (typeof value === "boolean") return { value };
      if (value === "true" || value === "false") return { value: value === "true" };
      return { error: "is not true or false" };
    default:
      if (typeof value === "string") return { value };
      return { error: `is not text (quote it: "${String(value)}")` };
  }
}

function readArgv(
  tool: string,
  raw: unknown,
  args: Record<string, ToolArg>,
  broken: string[],
  at: At,
  errors: LilyError[],
): ArgvPart[] {
  const bad = (path: (string | number)[], message: string, hint: string, span?: Span) =>
    errors.push(
      new LilyError("LILY-E0951", `tool \`${tool}\`: ${message}`, { span: span ?? at(path), hint }),
    );
  if (raw === undefined) {
    bad(
      [],
      "needs `argv:`, the arguments after the program",
      'write `argv: [-i, "{input}", "{output}"]`',
    );
    return [];
  }
  if (!Array.isArray(raw)) {
    bad(["argv"], "`argv` must be a list", 'write `argv: [-i, "{input}", "{output}"]`');
    return [];
  }
  const parts: ArgvPart[] = [];
  const names = Object.keys(args);
  // A placeholder of an optional argument with no default must sit in an `if:` naming it.
  const check = (text: unknown, path: (string | number)[], guard: string | undefined) => {
    if (typeof text !== "string" && typeof text !== "number") {
      bad(
        path,
        "an argv element must be text or `{if: ARG, then: [...]}`",
        'quote it: `"{input}"`',
      );
      return undefined;
    }
    const source = String(text);
    const parsed = parseTemplate(source);
    const content = at(path, false, true);
    const span = (start: number, end: number) => spanAt(content, source, start, end);
    if ("error" in parsed) {
      bad(
        path,
        `argv element \`${source}\`: ${parsed.error}`,
        "write a placeholder as `{name}`; a literal brace as `{{` or `}}`",
        span(parsed.offset, parsed.offset + 1),
      );
      return undefined;
    }
    for (const use of placeholdersOf(parsed.template)) {
      const arg = Object.hasOwn(args, use.name) ? args[use.name] : undefined;
      if (broken.includes(use.name)) continue; // its declaration's error is reported
      if (!arg) {
        const guess = didYouMean(use.name, names);
        bad(
          path,
          `argv placeholder \`{${use.name}}\` names no argument`,
          guess
            ? `did you mean \`{${guess}}\`?`
            : `declared arguments: ${listNames(names) || "none"}`,
          span(use.start, use.end),
        );
      } else if (!arg.required && arg.default === undefined && guard !== use.name) {
        bad(
          path,
          `argv placeholder \`{${use.name}}\` is optional with no default, outside an \`if: ${use.name}\``,
          `wrap it: \`{if: ${use.name}, then: [..., "{${use.name}}"]}\`, or give the argument a default`,
          span(use.start, use.end),
        );
      }
    }
    return parsed.template;
  };
  raw.forEach((element, i) => {
    if (isMap(element)) {
      for (const key of Object.keys(element)) {
        if (key !== "if" && key !== "then") {
          errors.push(
            unknownField(`tool \`${tool}\`: unknown field \`${key}\` in an argv condition`, key, [
              "if",
              "then",
            ], at(["argv", i, key], true)),
          );
        }
      }
      const cond = element.if;
      // A badly declared argument is still declared (its own error is reported).
      const known = typeof cond === "string" &&
        (Object.hasOwn(args, cond) || broken.includes(cond));
      if (!known) {
        const all = [...names, ...broken];
        const guess = typeof cond === "string" ? didYouMean(cond, all) : undefined;
        bad(
          ["argv", i, "if"],
          `\`if:\` must name an argument${
            typeof cond === "string" ? `; \`${cond}\` is not one` : ""
          }`,
          guess ? `did you mean \`${guess}\`?` : `declared arguments: ${listNames(all) || "none"}`,
        );
      }
      const then = element.then;
      if (!Array.isArray(then) || then.length === 0) {
        const name = typeof cond === "string" ? cond : "ARG";
        bad(
          ["argv", i, "then"],
          "`then:` must be a non-empty list",
          `write \`{if: ${name}, then: [-flag, "{${name}}"]}\``,
        );
        return;
      }
      const guard = typeof cond === "string" ? cond : undefined;
      const templates = then.map((t, j) => check(t, ["argv", i, "then", j], guard));
      if (!known) return;
      if (templates.every((t) => t !== undefined)) {
        parts.push({ if: cond, then: templates as NonNullable<typeof templates[number]>[] });
      }
      return;
    }
    const template = check(element, ["argv", i], undefined);
    if (template) parts.push(template);
  });
  return parts;
}
