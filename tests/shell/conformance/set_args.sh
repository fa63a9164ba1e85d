# `set -- …` and `set a b` set the positional parameters at the top level.
#### set dash dash
set -- a "b c" d
echo "$# $1 $2 $3"
#### set dash dash quoted at
set -- a "b c"
for x in "$@"; do echo "[$x]"; done
#### set without dash dash
set x y
echo "$1-$2 $#"
#### set dash dash empties
set -- a b; set --; echo "n=$#"; for x in "$@"; do echo "[$x]"; done
#### set and shift
set -- 1 2 3; shift; echo "$*"; shift 2; echo "n=$#"
#### set with option and arguments
set -f -- 'a*' b; echo "$1 $#"
#### set dash dash and a loop over args
set -- one two three
for w; do echo "w=$w"; done
#### set dash dash from a command
set -- $(echo p q r)
echo "$2 $#"
#### set dash dash in a subshell does not leak
set -- a; (set -- b c; echo "$1 $#"); echo "$1 $#"
