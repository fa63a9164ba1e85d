/**
 * Drift detection: do the sources a lock was composed from still hash the same, do the host
 * variables templates read still hold the same values, and (with `recompose`) does composing
 * again give the same plan? Non-deterministic values the lock records (`now`, random uuids,
 * `abspath`) are replayed or reported, never mistaken for source drift.
 * @module
 */
import { dirname, resolve } from "node:path";

import type { LockFile } from "../schema/lock.ts";
import { VERSION } from "../version.ts";
import { sourceDigest } from "../source/load.ts";
import { sha256Hex } from "../util/canonical_json.ts";
import type { LockDiff } from "./diff.ts";

/** One finding of verify. */
export interface Finding {
  kind:
    | "source-changed"
    | "source-missing"
    | "env-changed"
    | "plan-changed"
    | "nondeterministic"
    | "composer-version";
  /** `error` findings mean drift; `warning` findings fail only with `--strict`. */
  severity: "error" | "warning";
  message: string;
}

/** The result of verify. */
export interface VerifyReport {
  ok: boolean;
  findings: Finding[];
  /** With recompose: the semantic diff from the lock to the recomposed lock, if they differ. */
  diff?: LockDiff;
}

/** Options for {@linkcode verifyLock}. */
export interface VerifyOptions {
  /**
   * Composes the lock's sources again (`recomposeLock` of `src/pipeline.ts`, passed in so that
   * this stage never imports the pipeline that calls it); without it, verify checks sources and
   * host variables only.
   */
  recompose?: (
    lockPath: string,
    lock: LockFile,
    getEnv: (name: string) => string | undefined,
  ) => Promise<LockFile>;
  strict?: boolean;
  getEnv?: (name: string) => string | undefined;
}

/** Checks a lock (read from `lockPath`) against its sources. */
export async function verifyLock(
  lockPath: string,
  lock: LockFile,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const getEnv = options.getEnv ?? ((name: string) => Deno.env.get(name));
  const root = resolve(dirname(resolve(lockPath)), lock.provenance.project_root);
  const findings: Finding[] = [];
  for (const source of lock.provenance.sources) {
    const path = resolve(root, source.path);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch {
      findings.push({
        kind: "source-missing",
        severity: "error",
        message: `${source.role} \`${source.path}\` is missing`,
      });
      continue;
    }
    const text = new TextDecoder().decode(bytes);
    if (`sha256:${await sourceDigest(text)}` !== source.sha256) {
      findings.push({
        kind: "source-changed",
        severity: "error",
        message: `${source.role} \`${source.path}\` changed since the lock was composed`,
      });
    }
  }
  for (const [name, digest] of Object.entries(lock.provenance.env_reads)) {
    const value = getEnv(name);
    const now = value === undefined ? "unset" : `sha256:${sha256Hex(value)}`;
    if (now !== digest) {
      findings.push({
        kind: "env-changed",
        severity: "error",
        message: `host variable \`${name}\`, read by a template, has another value now`,
      });
    }
  }
  for (const entry of lock.provenance.nondeterministic) {
    findings.push({
      kind: "nondeterministic",
      severity: "warning",
      message: `\`${entry.where}\` holds a non-deterministic value (${entry.kind})`,
    });
  }
  if (lock.provenance.composer.version !== VERSION) {
    findings.push({
      kind: "composer-version",
      severity: "warning",
      message: `composed by lily ${lock.provenance.composer.version}, this is ${VERSION}`,
    });
  }
  let diff: LockDiff | undefined;
  if (options.recompose) {
    const recomposed = await options.recompose(lockPath, lock, getEnv);
    if (recomposed.spec_hash !== lock.spec_hash) {
      // Loaded only here: the diff reaches the lock model (zod), which a plain run never loads.
      const { diffLocks } = await import("./diff.ts");
      diff = diffLocks(lock, recomposed);
      // `steps.<id>.with.run`; an included step's id has dots (`steps.notify.post.with.run`).
      const volatile = lock.provenance.nondeterministic.map((n) => n.where);
      const isVolatile = (at: string) => volatile.some((w) => w.startsWith(`${at}.`));
      const changedSteps = Object.keys(diff.steps.changed);
      const onlyVolatile = diff.params.length === 0 && diff.steps.added.length === 0 &&
        diff.steps.removed.length === 0 && diff.policy.length === 0 && changedSteps.length > 0 &&
        changedSteps.every((id) => isVolatile(`steps.${id}`) || isVolatile(`on_error.${id}`));
      findings.push(
        onlyVolatile
          ? {
            kind: "nondeterministic",
            severity: "warning",
            message: `recomposing changes only steps with non-deterministic values (${
              changedSteps.join(", ")
            })`,
          }
          : {
            kind: "plan-changed",
            severity: "error",
            message: "recomposing the sources gives a different plan (see the diff below)",
          },
      );
    }
  }
  if (options.recompose && !findings.some((f) => f.kind === "plan-changed")) {
    // The plan is what runs: a source whose bytes changed but which composes to the same plan
    // (reformatting, comments, reordering) is reported, not failed.
    for (const f of findings) {
      if (f.kind === "source-changed") {
        f.severity = "warning";
        f.message += ", but recomposes to the same plan";
      }
    }
  }
  const failing = findings.filter((f) => f.severity === "error" || options.strict);
  return { ok: failing.length === 0, findings, diff };
}
