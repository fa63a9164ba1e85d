/**
 * How `lily explain` shows tool steps: the tool, the adapter it runs on and the argv compose
 * built (each element shell-quoted for reading only: nothing runs it through a shell), and the
 * lock's tool pins.
 * @module
 */
import type { LockFile, LockStep } from "../schema/lock.ts";

/** An argv element as a reader would type it (quoted when it holds anything but plain text). */
export function readableArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The explain line of a tool step, or undefined for another kind.
 *
 * @example
 * ```ts
 * import { assertEquals } from "../../tests/_assert.ts";
 * import { toolLine } from "./tool_explain.ts";
 * const step = { uses: "tool", adapter: "process", with: { tool: "ff", argv: ["ff", "a b"] } };
 * assertEquals(toolLine(step as never), "tool ff: ff 'a b'");
 * ```
 */
export function toolLine(step: Pick<LockStep, "uses" | "adapter" | "with">): string | undefined {
  if (step.uses !== "tool" || typeof step.with.tool !== "string") return undefined;
  const argv = Array.isArray(step.with.argv) ? step.with.argv.map(String) : [];
  const image = typeof step.with.image === "string" ? ` in ${step.with.image}` : "";
  return `tool ${step.with.tool}${image}: ${argv.map(readableArg).join(" ")}`;
}

/** The explain lines of the lock's tool pins (none when no step uses a tool). */
export function toolPinLines(lock: Pick<LockFile, "registry_pins">): string[] {
  const out: string[] = [];
  for (const [adapter, tools] of Object.entries(lock.registry_pins.tools ?? {})) {
    for (const [name, pin] of Object.entries(tools)) {
      const where = pin.image !== undefined
        ? `image ${pin.image}${pin.digest ? `@${pin.digest}` : ""}`
        : `${pin.path}${pin.sha256 ? `  sha256:${pin.sha256.slice(0, 12)}` : ""}`;
      const version = pin.version !== null ? `  version ${pin.version}` : "  version not taken";
      const constraint = pin.constraint !== null ? ` (wants ${pin.constraint})` : "";
      out.push(`  ${name} (${adapter}) → ${where}${version}${constraint}`);
    }
  }
  return out;
}
