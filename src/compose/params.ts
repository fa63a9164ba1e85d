/**
 * Parameter values: typing `-p key=value` strings by the declared type, resolving defaults,
 * profile values and overrides, and expanding `-m key=a,b` sweeps into points.
 * @module
 */
import { didYouMean, LilyError, listNames } from "../errors.ts";
import type { Param, ValueType } from "../schema/petal.ts";
import { secretEnvName } from "../schema/secret_env.ts";

/** Where a raw value came from, for error messages. */
export interface ValueSource {
  /** `-p size=…` or a file span. */
  flag?: string;
  span?: { file: string; line: number; col: number; length?: number };
}

/** Parses `key=value` (from `-p`); the flag name is used in errors. */
export function parseAssignment(text: string, flag: string): [string, string] {
  const eq = text.indexOf("=");
  if (eq <= 0) {
    throw new LilyError("LILY-E0004", `\`${flag} ${text}\` is not of the form key=value`, {
      flag: `${flag} ${text}`,
      hint: /^[A-Za-z_][\w-]*$/.test(text.trim())
        ? `write \`${flag} ${text.trim()}=VALUE\``
        : `write \`${flag} name=value\``,
    });
  }
  return [text.slice(0, eq).trim(), text.slice(eq + 1)];
}

/**
 * Converts a command-line string to the param's type.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { coerceCliValue } from "./params.ts";
 * assert(coerceCliValue("n", "int", "42", { flag: "-p n=42" }) === 42);
 * ```
 */
export function coerceCliValue(
  name: string,
  type: ValueType,
  raw: string,
  source: ValueSource,
): unknown {
  const fail = (expected: string) =>
    new LilyError(
      "LILY-E0305",
      `param \`${name}\` is \`${type}\`, but \`${raw}\` is not ${expected}`,
      { flag: source.flag, span: source.span, hint: `pass ${expected}, e.g. ${example(type)}` },
    );
  switch (type) {
    case "int":
      if (!/^[+-]?\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) {
        throw fail("an integer");
      }
      return Number(raw);
    case "float":
      if (raw.trim() === "" || !Number.isFinite(Number(raw))) throw fail("a number");
      return Number(raw);
    case "bool": {
      const v = raw.trim().toLowerCase();
      if (["true", "1", "yes", "on"].includes(v)) return true;
      if (["false", "0", "no", "off"].includes(v)) return false;
      throw fail("a boolean (true/false)");
    }
    case "json": {
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw fail("valid JSON");
      }
      // `1e400` parses to Infinity, which no lock can hold.
      if (!isFiniteJson(value)) throw fail("JSON with finite numbers");
      return value;
    }
    case "secret":
      throw new LilyError(
        "LILY-E0306",
        `param \`${name}\` is a secret and cannot be set on the command line`,
        {
          flag: source.flag,
          hint: `secrets are read at run time: set \`${secretEnvName(name)}\` when you run`,
        },
      );
    default:
      return raw;
  }
}

function isFiniteJson(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  if (value === null || typeof value !== "object") return true;
  return Object.values(value).every(isFiniteJson);
}

function example(type: ValueType): string {
  return { int: "42", float: "0.5", bool: "true", json: "'{\"a\": 1}'" }[type as string] ??
    "text";
}

/** Checks a value from YAML (a default or a profile value) against the param's type. */
export function checkYamlValue(
  name: string,
  param: Param,
  value: unknown,
  source: ValueSource,
): unknown {
  const type = param.type;
  const ok = (() => {
    switch (type) {
      case "int":
        return Number.isSafeInteger(value);
      case "float":
        return typeof value === "number" && Number.isFinite(value);
      case "bool":
        return typeof value === "boolean";
      case "json":
        return true;
      case "secret":
        return false;
      default:
        return typeof value === "string";
    }
  })();
  if (type === "secret") {
    throw new LilyError("LILY-E0306", `secret param \`${name}\` cannot have a value in a file`, {
      span: source.span,
      hint: `secrets are read at run time from \`${secretEnvName(name)}\` or \`source:\``,
    });
  }
  if (!ok) {
    throw new LilyError(
      "LILY-E0305",
      `param \`${name}\` is \`${type}\`, but the value ${JSON.stringify(value)} is not`,
      { span: source.span, flag: source.flag, hint: `give ${example(type)}` },
    );
  }
  return value;
}

/** Checks that a value is one of the param's `choices`. */
export function checkChoices(
  name: string,
  param: Param,
  value: unknown,
  source: ValueSource,
): void {
  if (!param.choices || param.choices.includes(value as string)) return;
  throw new LilyError(
    "LILY-E0307",
    `param \`${name}\` must be one of ${listNames(param.choices.map(String))}, not ${
      JSON.stringify(value)
    }`,
    { span: source.span, flag: source.flag },
  );
}

/** An unknown param name given on the command line or in a profile. */
export function unknownParam(name: string, declared: string[], source: ValueSource): LilyError {
  const guess = didYouMean(name, declared);
  return new LilyError("LILY-E0304", `unknown param \`${name}\``, {
    span: source.span,
    flag: source.flag,
    hint: guess
      ? `did you mean \`${guess}\`?`
      : declared.length
      ? `declared params: ${listNames(declared)}`
      : "this workflow declares no params; add a `params:` section",
  });
}

/**
 * Expands sweeps (`-m size=480,720 -m fmt=mp4,webm`) into points: the cartesian product,
 * keys in sorted order, values in the order given. No sweep → one empty point.
 */
export function expandSweeps(sweeps: Record<string, string[]>): Record<string, string>[] {
  let points: Record<string, string>[] = [{}];
  for (const key of Object.keys(sweeps).sort()) {
    const next: Record<string, string>[] = [];
    for (const point of points) {
      for (const value of sweeps[key]) next.push({ ...point, [key]: value });
    }
    points = next;
  }
  return points;
}

/** Parses `-m key=a,b,c` into a key and its values (commas inside values: use JSON lists). */
export function parseSweep(text: string): [string, string[]] {
  const [key, raw] = parseAssignment(text, "-m");
  let values: string[];
  if (raw.trim().startsWith("[")) {
    try {
      values = (JSON.parse(raw) as unknown[]).map((v) =>
        typeof v === "string" ? v : JSON.stringify(v)
      );
    } catch {
      throw new LilyError("LILY-E0004", `\`-m ${text}\`: the list is not valid JSON`, {
        flag: `-m ${text}`,
      });
    }
  } else {
    values = raw.split(",");
  }
  if (values.length === 0 || values.some((v) => v === "")) {
    throw new LilyError("LILY-E0004", `\`-m ${text}\` has an empty value`, {
      flag: `-m ${text}`,
      hint: "write `-m size=480,720`",
    });
  }
  return [key, values];
}

/** A deterministic file-name suffix for a sweep point: `size=720,fmt=mp4`. */
export function pointLabel(point: Record<string, string>): string {
  return Object.keys(point).sort().map((k) => `${k}=${safeName(point[k])}`).join(",");
}

function safeName(value: string): string {
  return value.replace(
    /[^A-Za-z0-9._+-]/g,
    (c) => "%" + c.codePointAt(0)!.toString(16).toUpperCase().padStart(2, "0"),
  );
}
