// `printf`: conversions, flags, width and precision as C and dash print them; errors.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, status } from "./_sh.ts";

Deno.test("printf: %s, %d, %x, %X, %o and %% convert their arguments", async () => {
  assertEquals(await out("printf '%s|%d|%x|%X|%o|%%\\n' str 42 255 255 8"), "str|42|ff|FF|10|%\n");
});

Deno.test("printf: %05.2f pads with zeros after the sign and rounds as C (ties to even)", async () => {
  assertEquals(
    await out("printf '%05.2f|%06.2f|%.1f|%.0f|%.0f\\n' 3.14159 -3.14159 2.25 2.5 3.5"),
    "03.14|-03.14|2.2|2|4\n",
  );
});

Deno.test("printf: width, `-` justification and precision shape strings", async () => {
  assertEquals(
    await out("printf '[%5s][%-5s][%.2s][%*d]\\n' a b defg 4 7"),
    "[    a][b    ][de][   7]\n",
  );
});

Deno.test("printf: `+` and space flags sign numbers", async () => {
  assertEquals(await out("printf '%+d|% d|%+d\\n' 5 5 -5"), "+5| 5|-5\n");
});

Deno.test("printf: the format is reused while arguments remain", async () => {
  assertEquals(await out("printf '%s=%s\\n' a 1 b 2 c"), "a=1\nb=2\nc=\n");
});

Deno.test("printf: missing arguments are empty strings and zeros", async () => {
  assertEquals(await out("printf '[%s][%d]\\n'"), "[][0]\n");
});

Deno.test("printf: a format without conversions is printed once", async () => {
  assertEquals(await out("printf 'x\\n' extra args"), "x\n");
});

Deno.test("printf: escapes in the format, not in %s arguments; %b reads them", async () => {
  assertEquals(await out("printf 'a\\tb\\\\ %s %b\\n' '\\n' 'c\\td'"), "a\tb\\ \\n c\td\n");
});

Deno.test("printf: %c prints the first character", async () => {
  assertEquals(await out("printf '%c%c\\n' hello world"), "hw\n");
});

Deno.test("printf: numbers may be hexadecimal or a quoted character's code", async () => {
  assertEquals(await out("printf '%d %d %i\\n' 0x10 \"'A\" -7"), "16 65 -7\n");
});

Deno.test("printf: %e writes at least two exponent digits, as C does", async () => {
  assertEquals(await out("printf '%e\\n' 1234.5"), "1.234500e+03\n");
});

Deno.test("printf: %g switches to exponent form for large numbers, as C does", async () => {
  assertEquals(await out("printf '%g\\n' 1234567"), "1.23457e+06\n");
});

Deno.test("printf: an invalid number prints 0, says so on stderr and returns 1", async () => {
  const result = await status("printf '%d\\n' abc");
  assertEquals(result.stdout, "0\nstatus=1\n");
  assertMatch(result.stderr, /abc: invalid number/);
});

Deno.test("printf: no format is a usage error with status 2", async () => {
  const result = await status("printf");
  assertEquals(result.stdout, "status=2\n");
  assertMatch(result.stderr, /usage/);
});
