# Parameter expansion.
#### param prefix shortest
x=a/b/c; echo ${x#*/}
#### param prefix longest
x=a/b/c; echo ${x##*/}
#### param suffix shortest
x=a/b/c; echo ${x%/*}
#### param suffix longest
x=a/b/c; echo ${x%%/*}
#### param extension strip
f=photo.final.jpg; echo "${f%.*}" "${f##*.}"
#### param no match keeps value
x=hello; echo ${x#z} ${x%z} ${x##z*} ${x%%*z}
#### param pattern literal quoted
x='a*b*c'; echo "${x#"a*"}" ${x#a\*}
#### param pattern from variable
x=prefix-body; p=prefix-; echo ${x#$p}
#### param pattern question
x=abcd; echo ${x#?} ${x%??}
#### param pattern bracket
x=9lives; echo ${x#[0-9]}
#### param remove whole
x=abc; echo "[${x#abc}]" "[${x%%*}]"
#### param unset with pattern
echo "[${nope#x}]"
#### param length
x=hello; echo ${#x}
#### param length empty and unset
x=; echo ${#x} ${#nope}
#### param length unicode
x=héllo; echo ${#x}
#### param default
echo ${u:-def} ${u-def2}; e=; echo "[${e:-d}]" "[${e-d}]"
#### param assign default
echo ${v:=assigned}; echo $v
#### param assign default empty
w=; echo "${w:=now}" "$w"; z=; echo "[${z=no}]"
#### param alternative
s=set; echo "[${s:+alt}]" "[${unset_v:+alt}]"; e=; echo "[${e:+alt}]" "[${e+alt}]"
#### param error unset
echo ${must:?is required}; echo after
#### param error set is fine
m=ok; echo ${m:?never}
#### param error empty colon
m=; (echo ${m:?empty}); echo "st=$?"
#### param error without colon on empty
m=; echo "[${m?unset}]"
#### param nested default
echo ${a:-${b:-deep}}
#### param default with spaces quoted
echo "${u:-two words}"
#### param default unquoted splits
for w in ${u:-one two}; do echo "<$w>"; done
#### param tilde in default
echo ${u:-~}
#### param tilde in default with path
echo ${u:-~/x}
#### param quoted tilde stays
echo "${u:-~}"
#### param at empty alternative
echo "[${@:+x}]"
#### param star empty
echo "[$*]" "[$#]"
#### param special question
false; echo $?; true; echo $?
#### param braces concat
x=ab; echo ${x}cd "${x}ef"
#### param dollar alone
echo $ "$" a$
#### param unset var empty
echo "[$undefined_var]"
#### param double quote inside default
echo "${u:-"q d"}"
#### param single quote in default unquoted
echo ${u:-'s q'}
#### param length of number var
n=12345; echo ${#n}
#### param strip then default
f=; echo "${f:-x.txt}" | tr . _
#### param suffix with star in middle
x=a.b.c.d; echo ${x%.*.*} ${x#*.*.}
#### param assign in loop
for i in 1 2; do : ${first:=$i}; done; echo $first
#### param ifs split of value
x='a  b   c'; for w in $x; do echo "<$w>"; done
#### param quoted value keeps spaces
x='a  b'; echo "$x"
#### param empty unquoted disappears
e=; for w in a $e b; do echo "<$w>"; done
#### param empty quoted stays
e=; for w in a "$e" b; do echo "<$w>"; done
#### param bash substring !refuse
x=hello; echo ${x:1:2}
#### param bash replace !refuse
x=hello; echo ${x/l/L}
#### param bash indirect !refuse
x=y; echo ${!x}
#### param bash case !refuse
x=hello; echo ${x^^}
#### param quoted at without arguments is no field
for a in "$@"; do echo "[$a]"; done; echo "n=$#"
#### param quoted at beside a word
for a in "$@" x; do echo "<$a>"; done
#### param at inside text
echo "x$@y"
#### param at minus default
echo "${@-unset}"
#### param star default
echo "${*:-d}" "[$*]"
#### param at plus alternative
echo "[${@+set}]"
#### param single quotes inside a double-quoted default are characters
echo "${u:-'b'}"
#### param quoted words inside an unquoted default keep together
for w in ${u:-'a b' c}; do echo "<$w>"; done
#### param double-quoted words inside an unquoted default
for w in ${u:-"x y" z}; do echo "<$w>"; done
#### param unquoted alternative splits with its quoting
s=1; for w in ${s:+'p q' r}; do echo "<$w>"; done
#### param set variable in unquoted default splits its value
v='m n'; for w in ${v:-'no'}; do echo "<$w>"; done
