# Shell functions (POSIX `NAME() compound-command`) and positional parameters inside them.
#### function definition and call
f() { echo hi; }
f; f
#### function arguments
f() { echo "n=$# 1=$1 2=$2 3=[$3]"; }
f a "b c"
#### function dollar at quoted keeps fields
f() { for a in "$@"; do echo "[$a]"; done; }
f a "b c" '' d
#### function dollar at with no arguments is no field
f() { for a in "$@"; do echo "[$a]"; done; echo done; }
f
#### function dollar at with text around it
f() { for a in "x$@y"; do echo "[$a]"; done; }
f a b c; f
#### function dollar star and unquoted at
f() { echo "$*"; echo $@; echo $*; }
f a "b  c" d
#### function positional ten and more
f() { echo "${10}" "${11:-none}" $#; }
f 1 2 3 4 5 6 7 8 9 ten
#### function shift
f() { echo "$1"; shift; echo "$1 $#"; shift 2; echo "$# [$*]"; }
f a b c d e
#### function return status
f() { return 3; }
f; echo "st=$?"
#### function return without a number keeps the last status
f() { false; return; }
f; echo "st=$?"
#### function status is its last command's
f() { true; false; }
g() { false; true; }
f; echo "f=$?"; g; echo "g=$?"
#### function return in the middle
f() { echo one; return 0; echo two; }
f; echo after
#### function return inside a loop
f() { for i in 1 2 3; do if [ $i = 2 ]; then return $i; fi; echo $i; done; }
f; echo "st=$?"
#### function recursion
fact() { if [ "$1" -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }
fact 10
#### function recursion with globals
n=0; count() { n=$((n + 1)); if [ $n -lt 50 ]; then count; fi; }
count; echo $n
#### function in a pipeline
f() { echo "x $1"; echo "y $1"; }
f a | while read -r l; do echo "<$l>"; done
#### function reading a pipe
f() { while read -r l; do echo "got $l"; done; }
printf '1\n2\n' | f
#### function in command substitution
f() { echo "v=$1"; }
x=$(f 42); echo "[$x]"
#### function redefinition
f() { echo one; }
f; f() { echo two; }; f
#### function sees and sets globals
x=1; f() { echo "in $x"; x=2; }
f; echo "out $x"
#### function arguments restored after the call
set -- top level
f() { echo "in: $*"; }
f a b; echo "out: $* $#"
#### function nested calls keep their own arguments
inner() { echo "inner $1"; }
outer() { inner "$2"; echo "outer $1"; }
outer a b
#### function body as a subshell
x=1; f() ( x=2; echo "in $x" )
f; echo "out $x"
#### function body as if
f() if [ "$1" = y ]; then echo yes; else echo no; fi
f y; f n
#### function with redirection on the body
f() { echo "to file $1"; } > out.txt
f a; cat out.txt
#### function shadows a program name
ls() { echo "not ls $1"; }
ls x
#### function shadows a regular built-in
echo() { printf '<%s>\n' "$*"; }
echo a b
#### function defined in a subshell does not leak
f() { echo outer; }; (f() { echo inner; }; f); f
#### function dollar question inside
f() { false; echo "st=$?"; }
f
#### function in a condition
ok() { [ "$1" = yes ]; }
if ok yes; then echo a; fi; if ok no; then echo b; else echo c; fi; ok no || echo d
#### function defined over lines
greet()
{
  echo "hello $1"
}
greet world
#### function name with underscore and digits
my_fn2() { echo ok; }
my_fn2
#### function errexit inside the body !e
f() { echo one; false; echo two; }
f; echo never
#### function errexit spared in a condition !e
f() { false; echo still; }
if f; then echo yes; fi
#### function return in a subshell ends the subshell
f() { (return 4); echo "sub=$?"; return 5; }
f; echo "st=$?"
#### function case on arguments
kind() { case $1 in *.tar.gz) echo tarball;; *.zip) echo zip;; *) echo other;; esac; }
kind a.tar.gz; kind b.zip; kind c
#### function with local as dash
f() { local x=inner; echo "$x"; }
x=outer; f; echo "$x"
#### function body must be compound !refuse
f() echo hi
#### function name is a reserved word !refuse
if() { echo hi; }
#### function for without in loops over its arguments
f() { for a; do echo "<$a>"; done; }
f x "y z"
#### function break does not leave the caller's loop
f() { break; }
for i in 1 2 3; do echo $i; f; done; echo "st=$?"
#### function parameter operators on positional parameters
h() { echo "${#}" "${#1}" "${1:-def}" "${1#a}" "${2:-none}" "${2-unset}"; }
h abc; h abc ''
#### function return in a substitution at the top level
x=$(return 3); echo "r=$?"
