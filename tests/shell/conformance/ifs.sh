# Field splitting on IFS (POSIX: IFS blanks vs other IFS characters), as dash does it.
#### ifs comma splits a variable
IFS=,; x=a,b,c; for w in $x; do echo "<$w>"; done
#### ifs comma keeps empty fields between commas
IFS=,; x=a,,b; for w in $x; do echo "<$w>"; done
#### ifs comma leading empty field, trailing none
IFS=,; x=,a,; for w in $x; do echo "<$w>"; done
#### ifs comma and space mixed
IFS=', '; x='a, b ,c  d'; for w in $x; do echo "<$w>"; done
#### ifs blanks leading and trailing are dropped
IFS=' '; x='  a   b  '; for w in $x; do echo "<$w>"; done
#### ifs colon splits a path
p=/usr/bin:/bin::/opt; IFS=:; for d in $p; do echo "[$d]"; done
#### ifs empty does not split
IFS=; x='a b  c'; for w in $x; do echo "<$w>"; done
#### ifs empty value is still no field
IFS=; x=; for w in $x; do echo "<$w>"; done; echo end
#### ifs unset is the default
IFS=,; unset IFS; x='a b,c'; for w in $x; do echo "<$w>"; done
#### ifs newline only
IFS='
'; x='one two
three'; for w in $x; do echo "<$w>"; done
#### ifs quoted expansion is not split
IFS=,; x=a,b; echo "$x"; for w in "$x"; do echo "<$w>"; done
#### ifs literal text is not split
IFS=o; echo foo boo
#### ifs joins with literal text
IFS=,; x=a,b; for w in pre$x"post"; do echo "<$w>"; done
#### ifs trailing delimiter then literal
IFS=,; x=a,; for w in $x"b"; do echo "<$w>"; done
#### ifs leading delimiter after literal
IFS=,; x=,a; for w in "p"$x; do echo "<$w>"; done
#### ifs command substitution output
IFS=:; for w in $(echo a:b:c); do echo "<$w>"; done
#### ifs restored after saving
old=$IFS; IFS=,; x=a,b; set -- $x; IFS=$old; echo "$# $1 $2"; y='c d'; for w in $y; do echo "<$w>"; done
#### ifs dollar star joins with the first character
set -- a b c; IFS=,; echo "$*"; IFS=; echo "$*"; IFS=' -'; echo "$*"
#### ifs unquoted dollar at splits each parameter
set -- 'a,b' c; IFS=,; for w in $@; do echo "<$w>"; done
#### ifs unquoted dollar star with empty parameters
set -- '' a ''; for w in $*; do echo "<$w>"; done; echo end
#### ifs in a function body
split() { IFS=$2; for w in $1; do echo "<$w>"; done; }
split a/b/c /
#### ifs for one read does not change splitting
x='a,b'; IFS=, read -r p q <<EOF
1,2
EOF
echo "$p $q"; for w in $x; do echo "<$w>"; done
#### ifs with tab
IFS='	'; x='a	b c'; for w in $x; do echo "<$w>"; done
#### ifs default splits the default blanks
x='a	b
c'; for w in $x; do echo "<$w>"; done
#### ifs arithmetic result splits
IFS=1; x=$((212)); for w in $x; do echo "<$w>"; done
#### ifs parameter default word splits on ifs
IFS=,; for w in ${nope:-a,b}; do echo "<$w>"; done
#### ifs initial value is blanks
x=$(printf ' \t\n.'); [ "$IFS." = "$x" ] && echo blanks; echo ${#IFS}
#### ifs word splitting of set arguments
IFS=,; set -- $(echo x,y,,z); echo "$#"; for a; do echo "[$a]"; done
