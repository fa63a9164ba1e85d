# Here-documents.
#### heredoc plain
cat <<EOF
hello
world
EOF
#### heredoc expands variables
x=42
cat <<EOF
x is $x and ${x}!
EOF
#### heredoc quoted delimiter keeps text
x=42
cat <<'EOF'
x is $x $(echo no) `echo no`
EOF
#### heredoc double-quoted delimiter
x=1
cat <<"END"
$x
END
#### heredoc partly quoted delimiter
x=1
cat <<E"O"F
$x
EOF
#### heredoc backslash escapes
cat <<EOF
a\$b \\ \`c\` \n stays
EOF
#### heredoc line continuation
cat <<EOF
one \
two
EOF
#### heredoc strip tabs
	cat <<-EOF
	indented
		twice
	EOF
#### heredoc dash keeps spaces
cat <<-EOF
  spaces
EOF
#### heredoc command substitution
cat <<EOF
now $(echo sub) and $((1+2))
EOF
#### heredoc two on one line
cat <<A; cat <<B
first
A
second
B
#### heredoc two on one command (last wins)
cat <<A <<B
first
A
second
B
#### heredoc in a loop
for i in 1 2; do
  cat <<EOF
item $i
EOF
done
#### heredoc into while read
while read -r a b; do echo "[$a|$b]"; done <<EOF
one two
three four five
EOF
#### heredoc empty body
cat <<EOF
EOF
echo after
#### heredoc delimiter-like text inside
cat <<EOF
 EOF
EOF-not
EOF
#### heredoc in command substitution
x=$(cat <<EOF
inside
EOF
)
echo "got $x"
#### heredoc in if
if true; then
  cat <<EOF
in if
EOF
fi
#### heredoc with pipe
cat <<EOF | tr a-z A-Z
shout
EOF
#### heredoc with redirect after
cat <<EOF > out.txt
to file
EOF
cat out.txt
#### heredoc quoted keeps backslashes
cat <<'EOF'
a\tb\\c\
d
EOF
#### heredoc with double quotes inside
x=v
cat <<EOF
"$x" '$x'
EOF
#### heredoc in case body
case a in a) cat <<EOF
from case
EOF
;;
esac
#### heredoc unset variable empty
cat <<EOF
[$nope]
EOF
#### heredoc into read
read -r line <<EOF
first line
second
EOF
echo "$line"
#### heredoc special parameters
false
cat <<EOF
status $?
EOF
#### heredoc multiple lines with blank lines
cat <<EOF

middle

EOF
#### heredoc strip tabs quoted
	cat <<-'X'
		$keep
	X
#### heredoc param ops inside
f=archive.tar.gz
cat <<EOF
${f%%.*} ${f#*.} ${#f}
EOF
#### heredoc while loop body reads
n=0
while [ $n -lt 2 ]; do
  n=$((n+1))
  cat <<EOF
round $n
EOF
done
#### heredoc here-string is bash !refuse
cat <<<word
#### heredoc unterminated !refuse
cat <<EOF
no end
