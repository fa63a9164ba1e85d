// The HMAC built on createHash must give createHmac's bytes for every key length (cache
// records and compiled locks written by earlier versions keep verifying), and for text that
// is not ASCII.
import { createHmac } from "node:crypto";
import { assertEquals } from "../_assert.ts";
import { hmacSha256 } from "../../src/util/hmac.ts";

Deno.test("hmacSha256 equals createHmac for short, block-sized and long keys, split or whole", () => {
  const texts = [
    "",
    "a",
    '{"key":"sha256:ab","step":"s1"}',
    "é\u0000ü☃".repeat(50),
    "x".repeat(5000),
  ];
  for (const key of ["", "k", "0123456789abcdef".repeat(4), "long key ".repeat(20), "ключ"]) {
    const mac = hmacSha256(key);
    for (const text of texts) {
      const expected = createHmac("sha256", key).update(text).digest("hex");
      assertEquals(mac(text), expected, `key ${key.length}, text ${text.length}`);
      const cut = Math.floor(text.length / 3);
      assertEquals(mac(text.slice(0, cut), text.slice(cut)), expected);
    }
  }
  // RFC 4231, test case 2.
  assertEquals(
    hmacSha256("Jefe")("what do ya want for nothing?"),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
});
