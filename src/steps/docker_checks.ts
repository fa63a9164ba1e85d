/**
 * Compose-time checks of `adapter: docker` (docs/docker.md), each error positioned: a docker
 * step runs a `shell` script under the image's `/bin/sh` or a `python` step with the image's
 * `python3`, so it needs `with.image` (a reference) and takes no `with.shell`, no
 * `runtime: pyodide` and no `with.packages` (the image's packages are the image's); a
 * `with.image` on any other step would be ignored, so it is refused. Also the images a plan
 * names, for the lock's `registry_pins.images`.
 * @module
 */
import { LilyError, type Span } from "../errors.ts";
import type { LockStep } from "../schema/lock.ts";
import type { Petal, Step } from "../schema/petal.ts";
import { lazyLocate } from "../source/locate.ts";
import { memoryBytes } from "./docker_argv.ts";

/** The step kinds a container runs. */
export const DOCKER_KINDS = ["shell", "python", "tool"];

/**
 * An image reference: `name[:tag]` or `name@sha256:<64 hex>`, lower-case path components,
 * an optional registry host (`registry.example.com:5000/team/app:1.2`).
 */
const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

/** Whether `ref` reads as an image reference. */
export function isImageRef(ref: string): boolean {
  return ref.length <= 255 && IMAGE_REF.test(ref);
}

/** The docker errors of every step of a rendered workflow (`raw` locates fields). */
export function dockerErrors(petal: Petal, raw: unknown): LilyError[] {
  const errors: LilyError[] = [];
  for (const list of ["steps", "on_error"] as const) {
    (petal[list] ?? []).forEach((step, index) => {
      const at = (path: (string | number)[], key = false): Span =>
        lazyLocate(raw, [list, index, ...path], { key });
      errors.push(...stepErrors(step, at));
    });
  }
  return errors;
}

function stepErrors(step: Step, at: (path: (string | number)[], key?: boolean) => Span) {
  const errors: LilyError[] = [];
  const w = (step.with ?? {}) as Record<string, unknown>;
  const id = step.id;
  if (step.adapter !== "docker") {
    if (w.image !== undefined) {
      errors.push(
        new LilyError(
          "LILY-E0902",
          `step \`${id}\` names an image, but it does not run in a container`,
          {
            span: at(["with", "image"], true),
            label: "ignored without `adapter: docker`",
            hint: "add `adapter: docker` to the step, or remove `with.image`",
          },
        ),
      );
    }
    return errors;
  }
  if (!DOCKER_KINDS.includes(step.uses)) {
    errors.push(
      new LilyError(
        "LILY-E0907",
        `step \`${id}\`: \`uses: ${step.uses}\` does not run with \`adapter: docker\``,
        {
          span: at(["adapter"]),
          hint: "a container runs `shell` steps (`with: {image: …, run: …}`) and `python` steps",
        },
      ),
    );
  }
  const image = w.image;
  // A tool's image comes from its declaration (adapters/docker.yaml: compose/tools.ts checks it).
  if (step.uses === "tool") return [...errors, ...memoryErrors(step, at)];
  if (image === undefined || image === null || image === "") {
    errors.push(
      new LilyError("LILY-E0901", `docker step \`${id}\` has no \`with.image\``, {
        span: w.image === undefined ? at(["adapter"]) : at(["with", "image"]),
        hint: "name the image it runs in: `with: {image: alpine:3.20, run: …}`",
      }),
    );
  } else if (typeof image !== "string" || !isImageRef(image)) {
    errors.push(
      new LilyError(
        "LILY-E0909",
        `\`with.image\` of docker step \`${id}\` is not an image reference: \`${String(image)}\``,
        {
          span: at(["with", "image"]),
          hint: "write `name:tag` or `name@sha256:<digest>` (lower case), e.g. `python:3.12-slim`",
        },
      ),
    );
  }
  if (w.shell !== undefined) {
    errors.push(
      new LilyError(
        "LILY-E0907",
        `docker step \`${id}\`: \`with.shell\` has no effect in a container`,
        {
          span: at(["with", "shell"], true),
          hint: "the script runs under the image's `/bin/sh`; remove `with.shell`",
        },
      ),
    );
  }
  if (step.uses === "python" && w.runtime !== undefined && w.runtime !== "system") {
    errors.push(
      new LilyError(
        "LILY-E0907",
        `docker step \`${id}\`: \`runtime: ${String(w.runtime)}\` does not run in a container`,
        {
          span: at(["with", "runtime"]),
          hint: "a container runs the image's `python3`; remove `with.runtime`",
        },
      ),
    );
  }
  if (step.uses === "python" && w.packages !== undefined) {
    errors.push(
      new LilyError(
        "LILY-E0910",
        `docker step \`${id}\`: \`with.packages\` is not checked in a container`,
        {
          span: at(["with", "packages"], true),
          hint:
            "the image's packages are the image's (pinned by its digest); remove `with.packages`",
        },
      ),
    );
  }
  return [...errors, ...memoryErrors(step, at)];
}

function memoryErrors(step: Step, at: (path: (string | number)[], key?: boolean) => Span) {
  const errors: LilyError[] = [];
  const id = step.id;
  const memory = step.resources?.memory;
  if (memory !== undefined) {
    try {
      memoryBytes(memory, id);
    } catch (error) {
      if (!(error instanceof LilyError)) throw error;
      errors.push(
        new LilyError(error.code, error.message, {
          span: at(["resources", "memory"]),
          hint: error.hint,
        }),
      );
    }
  }
  return errors;
}

/**
 * The lock's `registry_pins.images` for a plan: each image a docker step names, with its digest
 * when `digests` knows it (`lily sync` records it otherwise), else `""`.
 */
export function dockerImagePins(
  steps: readonly Pick<LockStep, "adapter" | "with">[],
  digests: Record<string, string> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const step of steps) {
    if (step.adapter !== "docker" || typeof step.with.image !== "string") continue;
    out[step.with.image] = digests[step.with.image] ?? "";
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a < b ? -1 : 1));
}
