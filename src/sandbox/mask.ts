/**
 * Secret masking: every form a secret can take in text Lily writes — plain, base64 (standard
 * and URL-safe, at any of the 3 alignments inside a longer base64 stream), URL-encoded and
 * JSON-escaped — is replaced by `***`. The streaming masker holds back a tail so a secret
 * split across two output chunks is still caught.
 * @module
 */

/** What replaces a secret. */
export const MASK = "***";

/**
 * Secrets shorter than this are not masked: replacing every `e` or `1` in a log rewrites
 * ordinary text and, by the pattern of `***`, reveals the secret anyway. The run warns.
 */
export const MIN_SECRET_LENGTH = 4;

/** True when `secret` is too short to be masked (see {@linkcode MIN_SECRET_LENGTH}). */
export function tooShortToMask(secret: string): boolean {
  return secret.length > 0 && secret.length < MIN_SECRET_LENGTH;
}

function base64(bytes: Uint8Array, urlSafe: boolean): string {
  let text = btoa(String.fromCharCode(...bytes));
  if (urlSafe) text = text.replaceAll("+", "-").replaceAll("/", "_");
  return text.replace(/=+$/, "");
}

/**
 * The forms of one secret. For base64, a secret inside a longer encoded text appears at one
 * of 3 byte alignments; for each, the characters that depend only on the secret's bytes are
 * a stable core (the first and last characters may mix with neighbours and are left out).
 */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  const forms = new Set<string>([secret]);
  forms.add(encodeURIComponent(secret));
  forms.add(encodeURIComponent(secret).replaceAll("%20", "+"));
  forms.add(JSON.stringify(secret).slice(1, -1));
  // JSON writers that escape every non-ASCII character (`\u00e9`, either case of hex).
  const escaped = JSON.stringify(secret).slice(1, -1).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  forms.add(escaped);
  forms.add(escaped.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\u${h.toUpperCase()}`));
  const bytes = new TextEncoder().encode(secret);
  for (const urlSafe of [false, true]) {
    forms.add(base64(bytes, urlSafe));
    for (let shift = 0; shift < 3; shift++) {
      const padded = new Uint8Array(shift + bytes.length);
      padded.set(bytes, shift);
      const encoded = base64(padded, urlSafe);
      // Characters fully determined by the secret's bytes.
      const start = Math.ceil((shift * 8) / 6);
      const end = Math.floor(((shift + bytes.length) * 8) / 6);
      const core = encoded.slice(start, end);
      if (core.length >= 4) forms.add(core);
    }
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) =>
    b.length - a.length
  );
}

/** A masker for a set of secrets. */
export interface Masker {
  /** Masks a complete text. */
  mask(text: string): string;
  /** A masker for a stream of chunks (`push` returns what is safe to write; `end` the rest). */
  stream(): { push(chunk: string): string; end(): string };
  /** True when there is nothing to mask. */
  readonly empty: boolean;
}

/**
 * A masker for `secrets` (values shorter than {@linkcode MIN_SECRET_LENGTH} characters are not
 * masked: masking every `a` in a log hides nothing and garbles the rest).
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { createMasker } from "./mask.ts";
 * const m = createMasker(["hunter2!"]);
 * assert(m.mask("token=hunter2! b64=aHVudGVyMiE") === "token=*** b64=***");
 * ```
 */
export function createMasker(secrets: Iterable<string>): Masker {
  const forms = [...new Set([...secrets].flatMap(secretForms))].sort((a, b) => b.length - a.length);
  const longest = forms.reduce((n, f) => Math.max(n, f.length), 0);
  // One alternation, longest first: at each position the longest form wins, leftmost first.
  const pattern = forms.length
    ? new RegExp(forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g")
    : undefined;
  const mask = (text: string) => (pattern ? text.replace(pattern, MASK) : text);
  return {
    empty: forms.length === 0,
    mask,
    stream() {
      let held = "";
      return {
        push(chunk: string) {
          if (!pattern) return chunk;
          const text = held + chunk;
          // A position is decided once every form could be complete there; the rest waits.
          const limit = text.length - (longest - 1);
          let out = "";
          let at = 0;
          pattern.lastIndex = 0;
          for (let m = pattern.exec(text); m && m.index < limit; m = pattern.exec(text)) {
            out += text.slice(at, m.index) + MASK;
            at = m.index + m[0].length;
            pattern.lastIndex = at;
          }
          if (at < limit) {
            out += text.slice(at, limit);
            at = limit;
          }
          held = text.slice(at);
          return out;
        },
        end() {
          const rest = mask(held);
          held = "";
          return rest;
        },
      };
    },
  };
}
