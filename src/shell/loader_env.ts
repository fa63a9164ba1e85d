/**
 * Variables that make an allowed program load code or data the step chose: the dynamic
 * loader's (`LD_*`, macOS `DYLD_*`) and the ones glibc itself drops for setuid programs
 * (its "unsecure" list: `GCONV_PATH` makes `iconv` load a foreign module, `LOCPATH`,
 * `NLSPATH`, `HOSTALIASES`, `RESOLV_HOST_CONF`, `MALLOC_TRACE`…), plus `GLIBC_TUNABLES`.
 * A sandboxed step may not pass any of them to a program (LILY-E0823), whether it came from
 * the step's environment or the script set it.
 * @module
 */

const EXACT = new Set([
  "GCONV_PATH",
  "GETCONF_DIR",
  "GLIBC_TUNABLES",
  "HOSTALIASES",
  "LOCALDOMAIN",
  "LOCPATH",
  "MALLOC_TRACE",
  "NIS_PATH",
  "NLSPATH",
  "RESOLV_HOST_CONF",
  "RES_OPTIONS",
  "TZDIR",
]);

/** The first loader variable in `env`, or undefined. */
export function loaderVariable(env: Record<string, string>): string | undefined {
  return Object.keys(env).sort().find((name) =>
    EXACT.has(name) || name.startsWith("LD_") || name.startsWith("DYLD_")
  );
}
