# Assignments, export, readonly, unset.
#### two assignments
a=1 b=2; echo $a $b
#### later assignment sees earlier
a=1 b=$a; echo $b
#### assignment from command substitution
x=$(echo hi there); echo "$x"
#### assignment status from substitution
x=$(false); echo "st=$?"
#### assignment status success
x=$(true); echo "st=$?"
#### assignment not split
x="a   b"; y=$x; echo "$y"
#### assignment not globbed
touch g1 g2; x=g*; echo "$x"
#### assignment with tilde
x=~; echo $x
#### assignment with tilde path
x=~/bin; echo $x
#### assignment with tilde after colon
p=~/a:~/b; echo $p
#### assignment quoted tilde
x="~"; echo $x
#### assignment with arithmetic
n=$((3*4)); echo $n
#### assignment concatenation
a=foo; b=${a}bar; echo $b
#### assignment empty
e=; echo "[$e]"
#### export then show
export E1=v; printenv E1 2>/dev/null || echo v
#### export value with spaces
export E2="a b"; echo "$E2"
#### export tilde value
export X=~/d; echo $X
#### unset
u=1; unset u; echo "[${u-unset}]"
#### unset -v
u=1; unset -v u; echo "[${u-unset}]"
#### readonly blocks assignment
readonly r=1; r=2; echo after
#### readonly value
readonly r=5; echo $r
#### readonly in subshell ends subshell
readonly r=1; (r=2; echo inner); echo "st=$?"
#### readonly unset fails
readonly r=1; unset r; echo after
#### assignment before builtin is temporary-ish
x=1; x=2 true; echo $x
#### assignment only statement status
false; a=1; echo "st=$?"
#### assignment with escaped dollar
x=\$HOME; echo "$x"
#### assignment with single quotes
x='$y'; echo "$x"
#### assignment of an assignment word
x=a=b; echo $x
#### assignment in for body visible after
for i in 1; do inner=set; done; echo $inner
#### assignment in subshell not visible
(sub=1); echo "[$sub]"
#### assignment in pipeline stage not visible
echo | p=1; echo "[$p]"
#### assignment in group visible
{ g=1; }; echo "[$g]"
#### variable name with underscore and digits
a_1=x; _b=y; echo $a_1 $_b
#### assignment newline value
x='a
b'; echo "$x"
