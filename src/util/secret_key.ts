/**
 * A 32-byte secret key kept in a file (hex, mode 0600): the HMAC key of the cache and of the
 * compiled-lock cache. Reads and creates only; the caller makes the directory.
 * @module
 */

const KEY = /^[0-9a-f]{64}$/;

/**
 * The key in `file`, made on first use. Two processes making it at once agree: the key is
 * written to a temp file and linked into place, so the first link wins and both read it. A file
 * that holds no key throws (it is never overwritten).
 *
 * @example
 * ```ts
 * import { assertEquals } from "../../tests/_assert.ts";
 * import { keyFile } from "./secret_key.ts";
 * const dir = Deno.makeTempDirSync();
 * assertEquals(keyFile(`${dir}/key`), keyFile(`${dir}/key`));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function keyFile(file: string): string {
  const read = () => {
    const text = Deno.readTextFileSync(file).trim();
    if (!KEY.test(text)) throw new Error(`\`${file}\` is not a key`);
    return text;
  };
  try {
    return read();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  const temp = `${file}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  Deno.writeTextFileSync(temp, hex + "\n", { createNew: true, mode: 0o600 });
  try {
    Deno.linkSync(temp, file);
  } catch {
    // another process made it first
  } finally {
    Deno.removeSync(temp);
  }
  return read();
}
