/**
 * A sandbox host starts with standard input, output and error only. Deno (like most runtimes)
 * passes every descriptor it inherited without close-on-exec to the programs it starts, so a
 * socket or file Lily's caller left open would reach every step. The host's command line
 * therefore begins with a short bash prelude that closes every descriptor above 2 and then
 * execs the rest of the command. Nothing the host opens itself leaks on (Deno opens its own
 * descriptors close-on-exec), so its programs start with 0, 1 and 2 only.
 * @module
 */

const SCRIPT = `for fd in /proc/self/fd/*; do fd=\${fd##*/}; ` +
  `if [ "$fd" -gt 2 ]; then exec {fd}>&-; fi; done; exec "$@"`;

let bash: string | null | undefined;

/** The prelude (empty when bash is missing: then `descriptorsClosed()` is false). */
export function fdPrelude(): string[] {
  if (bash === undefined) {
    bash = ["/bin/bash", "/usr/bin/bash"].find((p) => {
      try {
        return Deno.statSync(p).isFile;
      } catch {
        return false;
      }
    }) ?? null;
  }
  return bash ? [bash, "-c", SCRIPT, "lily-host"] : [];
}

/** Whether hosts start without inherited descriptors here. */
export function descriptorsClosed(): boolean {
  return fdPrelude().length > 0;
}
