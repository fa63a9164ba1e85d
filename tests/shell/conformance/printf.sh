# printf.
#### printf string
printf '%s\n' hello
#### printf reuse format
printf '%s=%s\n' a 1 b 2 c
#### printf too few arguments
printf '%s|%d|%s\n' only
#### printf no arguments for number
printf '%d\n'
#### printf width and precision string
printf '[%5.2s][%-5.3s][%.1s]\n' abc abcdef xyz
#### printf width precision integer
printf '[%5.3d][%-6.2d][%.0d][%03d]\n' 7 5 0 9
#### printf hash flag
printf '%#x %#o %#X %#x\n' 255 8 255 0
#### printf plus and space
printf '%+d % d %+d\n' 5 5 -5
#### printf zero pad negative
printf '%05d|%-5d|\n' -42 -42
#### printf big numbers
printf '%d %d\n' 9223372036854775807 -9223372036854775808
#### printf negative unsigned
printf '%u %x %o\n' -1 -1 -1
#### printf hex and octal input
printf '%d %d %d\n' 0x1f 010 -0x10
#### printf char argument
printf '%d %d\n' "'A" "'a"
#### printf invalid number
printf '%d\n' abc; echo "st=$?"
#### printf partly invalid number
printf '%d\n' 12abc; echo "st=$?"
#### printf b escapes
printf '%b\n' 'a\tb' 'c\\d'
#### printf b octal
printf '%b|%b\n' '\0101' '\101'
#### printf b stops at c
printf '%b' 'keep\cdrop' 'more'; echo
#### printf format octal escape
printf '\101\102\n'
#### printf percent literal
printf '100%%\n'
#### printf char conversion
printf '%c%c\n' hello world
#### printf float
printf '%.2f %f %.0f\n' 3.14159 2.5 2.5
#### printf float width
printf '[%8.3f][%-8.2f]\n' 3.14159 2.5
#### printf exponent
printf '%e %.2E\n' 1234.5 0.000123
#### printf general
printf '%g %g %g\n' 100000 1000000 0.0001
#### printf star width
printf '[%*s][%-*d]\n' 5 ab 4 7
#### printf no newline
printf abc; printf def; echo
#### printf escape newline and tab
printf 'a\tb\nc\n'
#### printf backslash backslash
printf '\\\n'
#### printf only format reused for each arg
printf '<%s>' a b c; echo
#### printf mixed reuse with numbers
printf '%s:%d ' x 1 y; echo
#### printf empty string argument
printf '[%s]\n' ""
#### printf with percent s and spaces
printf '%s\n' "a b" c
#### printf leading dash argument
printf -- '%s\n' -n
#### printf precision star
printf '%.*s\n' 2 abcdef
#### printf i conversion
printf '%i\n' 42
#### printf width larger than value unicode
printf '[%3s]\n' é
