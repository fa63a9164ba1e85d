# Negation, exit, subshells, redirections, tilde, quoting, lists.
#### bang negates true
! true; echo "st=$?"
#### bang negates false
! false; echo "st=$?"
#### bang with pipeline
! echo x | tr x y; echo "st=$?"
#### bang in if
if ! false; then echo negated; fi
#### bang under errexit does not exit !e
! true; echo survived
#### exit in subshell
(exit 3); echo "st=$?"
#### exit with no argument in subshell keeps status
(false; exit); echo "st=$?"
#### exit in subshell does not end script
(exit 1); echo still
#### exit wraps 256
(exit 256); echo "st=$?"
#### exit 255
(exit 255); echo "st=$?"
#### exit in command substitution
x=$(exit 4); echo "st=$?"
#### exit in pipeline stage
exit 3 | true; echo "st=$?"
#### exit ends script
echo before; exit 5; echo after
#### exit status of script is last command
false
#### subshell variable isolation
x=1; (x=2; echo $x); echo $x
#### subshell cd isolation
mkdir d; (cd d); [ -d d ] && echo ok
#### group shares variables
{ x=5; }; echo $x
#### redirect to empty name
echo hi > ""; echo "st=$?"
#### redirect from empty name
cat < ""; echo "st=$?"
#### redirect append
echo a > f; echo b >> f; cat f
#### redirect stderr to stdout
{ echo out; echo err >&2; } 2>&1 | sort
#### redirect stdout to dev null
echo hidden > /dev/null; echo shown
#### redirect input from missing file
cat < missing.txt; echo "st=$?"
#### and or lists
true && echo a || echo b; false && echo c || echo d
#### or chain status
false || false || echo third
#### and chain stops
true && false && echo never; echo "st=$?"
#### tilde alone
echo ~
#### tilde path
echo ~/sub/dir
#### tilde quoted stays
echo "~" '~' \~
#### tilde in middle stays
echo a~b x=~
#### tilde after colon in argument stays
echo a:~/b
#### single quotes
echo 'a $b "c"'
#### double quotes keep dollar escapes
x=v; echo "a \$x \"q\" $x"
#### backslash outside quotes
echo a\ b \$x
#### backtick substitution
echo `echo back`
#### nested command substitution
echo $(echo $(echo deep))
#### command substitution strips trailing newlines
x=$(printf 'a\n\n\n'); echo "[$x]"
#### command substitution keeps inner newlines
x=$(printf 'a\nb'); echo "$x"
#### glob sorted
touch c b a; echo *
#### glob no match stays
echo *.nomatch
#### glob quoted stays
touch q1; echo "q*"
#### comments
echo a # comment
# whole line
echo b
#### line continuation
echo one \
two
#### semicolon separated
echo a; echo b; echo c
#### test string equality
[ abc = abc ] && echo eq; [ abc != abd ] && echo ne
#### test numeric
[ 10 -gt 9 ] && echo gt; [ 2 -le 2 ] && echo le
#### test empty and nonempty
[ -z "" ] && echo z; [ -n x ] && echo n
#### test file
touch tf; [ -f tf ] && echo file; [ -d tf ] || echo notdir
#### test negation
[ ! -e nope ] && echo absent
#### if elif else
x=2; if [ $x = 1 ]; then echo one; elif [ $x = 2 ]; then echo two; else echo other; fi
#### if status when no branch
if false; then :; fi; echo "st=$?"
#### errexit stops !e
echo a; false; echo b
#### errexit spares condition !e
if false; then :; fi; false || true; echo ok
#### errexit and subshell !e
(false); echo not reached
#### set +e turns errexit off !e
set +e; false; echo continued
#### pipeline status is last
false | true; echo "st=$?"
#### cat builtin with file
printf 'x\n' > f; cat f
#### read splits fields
echo "a b c" | { read -r x y; echo "$x|$y"; }
#### positional parameter is empty
echo $1
#### background job !refuse
sleep 1 &
#### bash function keyword !refuse
function f { echo hi; }
#### double bracket !refuse
[[ a == a ]] && echo yes
#### arithmetic command !refuse
(( x = 1 ))
#### errexit and an and-list in a group !e
{ test no = yes && echo hi; }; echo "status=$?"
#### errexit and an and-list in if, for, case !e
if true; then false && true; fi; for i in 1; do false && true; done; case a in a) false && true;; esac; echo survived
#### errexit and an and-list in a subshell exits !e
(false && true); echo never
#### errexit inside a group exits !e
{ false; echo no; }; echo never
#### test more file operators
touch f; [ -c f ] || echo notchar; [ -p f ] || echo notfifo; [ -k f ] || echo nosticky; [ -t 1 ] || echo notty
#### test newer and same file
touch a; [ a -ef a ] && echo same; [ a -nt missing ] && echo newer; [ missing -ot a ] && echo older
#### test big integers
[ 9223372036854775807 -gt 9223372036854775806 ] && echo bigger
#### test integer out of range
[ 99999999999999999999 -eq 1 ]; echo "st=$?"
#### dollar question split by a line continuation
true; echo $\
?
#### empty command name is not found
''; echo "st=$?"
#### redirect failure on a special built-in ends the shell
for x in a b; do break > nodir/r.txt; done; echo after
#### empty do done !refuse
while false; do
done
#### empty then !refuse
if true; then fi
#### empty group !refuse
{ }
#### dup to an expanded descriptor !refuse
fd=100; echo foo >&$fd
#### printf with an unknown option
printf -v x %s foo; echo "status=$?"
#### test three arguments with -a in the middle
[ -z -a -a ]; echo "status=$?"; [ "" -o x ]; echo "status=$?"
#### noclobber refuses to overwrite, >| forces
echo a > f; set -C; echo b > f; echo "st=$?"; echo c >| f; cat f; set +C; echo d > f; cat f
#### noclobber long form and new files
set -o noclobber; echo new > g; cat g; echo again > g; echo "st=$?"
#### noglob keeps patterns
touch a1 a2; set -f; echo a*; set +f; echo a*
#### read with empty IFS keeps blanks
printf '  a b  \n' | { IFS= read -r line; echo "[$line]"; }
#### read with a comma IFS
printf 'x,y,z w\n' | { IFS=, read -r a b; echo "[$a][$b]"; }
#### read with comma IFS and three names
printf 'x, y ,z\n' | { IFS=', ' read -r a b c; echo "[$a][$b][$c]"; }
#### read default IFS trims and splits
printf '  one   two three  \n' | { read -r a b; echo "[$a][$b]"; }
#### read more names than fields
echo one | { read -r a b c; echo "[$a][$b][$c]"; }
