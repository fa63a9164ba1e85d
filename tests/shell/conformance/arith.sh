# Arithmetic expansion: 64-bit, C operators.
#### arith basic precedence
echo $((2+3*4)) $(((2+3)*4)) $((10-3-2))
#### arith 2 to the 31 via shift
echo $((1<<31)) $((2147483647+1))
#### arith 64-bit max and wrap
echo $((9223372036854775807)) $((9223372036854775807+1))
#### arith multiply wrap
echo $((4294967296*4294967296)) $((3037000500*3037000500))
#### arith negative division and modulo
echo $((-7/2)) $((-7%2)) $((7/-2)) $((7%-2))
#### arith shifts
echo $((1<<62)) $((-16>>2)) $((1<<63))
#### arith comparisons
echo $((3<5)) $((3>5)) $((3<=3)) $((4>=5)) $((2==2)) $((2!=2))
#### arith logic
echo $((1&&0)) $((1||0)) $((!0)) $((!7))
#### arith bitwise
echo $((6&3)) $((6|3)) $((6^3)) $((~5))
#### arith ternary
echo $((1?10:20)) $((0?10:20))
#### arith nested ternary
x=5; echo $((x<3?1:x<6?2:3))
#### arith assignment ops
x=10; echo $((x+=5)) $((x-=3)) $((x*=2)) $((x/=4)) $((x%=4)) $x
#### arith shift assign
x=1; echo $((x<<=4)) $((x>>=2)) $((x|=8)) $((x&=12)) $((x^=5))
#### arith variables by name and dollar
a=6 b=7; echo $((a*b)) $(($a*$b))
#### arith unset is zero
echo $((nothing+1))
#### arith hex and octal
echo $((0x1F)) $((0XfF)) $((010)) $((0))
#### arith octal variable
x=010; echo $((x+0))
#### arith hex variable
x=0x10; echo $((x))
#### arith negative variable
x=-5; echo $((x*2)) $((-x))
#### arith spaces inside
echo $((  1  +  2  ))
#### arith nested parens
echo $((((((1+2)))*3)))
#### arith nested expansion
n=3; echo $(( $((n*2)) + 1 ))
#### arith division by zero
echo $((1/0)); echo after
#### arith modulo by zero
x=$((5%0)); echo after
#### arith division by zero in subshell status
(echo $((1/0))); echo "st=$?"
#### arith short circuit and
echo $((0 && 1/0))
#### arith short circuit or
echo $((1 || 1/0))
#### arith ternary skips
echo $((1 ? 2 : 1/0))
#### arith unary minus minus
echo $((- -3)) $((5- -2))
#### arith assignment visible after
: $((cnt=7)); echo $cnt
#### arith comma operator (bash)
echo $((a=1, a+1))
#### arith power (bash)
echo $((2**10)) $((2**31)) $((2**62))
#### arith power wraps (bash)
echo $((2**63)) $((2**64)) $((3**40))
#### arith post increment (bash)
x=3; echo $((x++)) $x
#### arith pre increment (bash)
x=3; echo $((++x)) $x $((--x))
#### arith in condition
if [ $((5 % 2)) -eq 1 ]; then echo odd; fi
#### arith big negative literal
echo $((-9223372036854775807-1))
#### arith min divided by minus one (bash)
echo $(( (-9223372036854775807-1) / -1 ))
#### arith in loop counter
i=0; while [ $i -lt 5 ]; do i=$((i+1)); done; echo $i
#### arith bad token
echo $((1 + + ))
#### arith bad octal
echo $((08))
#### arith string variable holding expression (dash: an error)
e='2+3'; echo $((e*2))
#### arith empty expression
echo "[$(())]"
#### arith quoted inside
echo "$((1+1))"
#### arith from command substitution
echo $(( $(echo 4) * 2 ))
#### arith deep parentheses
echo $((((((((((((((((((((((1))))))))))))))))))))))
#### arith with spaces around name
x=4; echo $(( x ))
#### arith compare negative
echo $((-1 < 0)) $((-1 > 0))
#### arith unsigned wrap print via printf
printf '%u\n' $((-1))
