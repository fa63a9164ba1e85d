# while / until / for, break and continue.
#### while counter
i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done
#### until counter
i=0; until [ $i -ge 3 ]; do echo $i; i=$((i+1)); done
#### while false never runs
while false; do echo no; done; echo "st=$?"
#### while status of last body
i=0; while [ $i -lt 2 ]; do i=$((i+1)); false; done; echo "st=$?"
#### break
for i in 1 2 3; do [ $i = 2 ] && break; echo $i; done
#### continue
for i in 1 2 3; do [ $i = 2 ] && continue; echo $i; done
#### break 2
for i in 1 2; do for j in a b; do [ $j = b ] && break 2; echo $i$j; done; done; echo end
#### continue 2
for i in 1 2; do for j in a b; do [ $j = b ] && continue 2; echo $i$j; done; echo never; done
#### break too many levels
for i in 1 2; do for j in a b; do break 5; done; echo no; done; echo out
#### break in while
n=0; while :; do n=$((n+1)); [ $n -gt 3 ] && break; done; echo $n
#### continue in until
n=0; until [ $n -ge 4 ]; do n=$((n+1)); [ $n = 2 ] && continue; echo $n; done
#### break status
for i in 1; do break; done; echo "st=$?"
#### while read lines
printf 'a\nb\nc\n' | while read -r l; do echo "<$l>"; done
#### while read from file
printf '1 2\n3 4\n' > f.txt; while read -r a b; do echo $((a+b)); done < f.txt
#### nested while and for
i=0; while [ $i -lt 2 ]; do for x in p q; do echo $i$x; done; i=$((i+1)); done
#### for over glob
touch b.txt a.txt c.md; for f in *.txt; do echo $f; done
#### for no match keeps pattern
for f in *.none; do echo "$f"; done
#### for empty list
for x in; do echo no; done; echo "st=$?"
#### for variable keeps last
for x in a b c; do :; done; echo $x
#### for over command substitution
for w in $(echo one two); do echo $w; done
#### for quoted item
for w in "a b" c; do echo "<$w>"; done
#### for body output redirect
for i in 1 2; do echo $i; done > out.txt; cat out.txt
#### while redirect input
printf 'x\ny\n' > in.txt; while read -r l; do echo "got $l"; done < in.txt
#### until with break
until false; do echo once; break; done
#### loop in subshell
(for i in 1 2; do echo $i; done); echo after
#### while condition list
i=0; while i=$((i+1)); [ $i -le 2 ]; do echo $i; done
#### break outside a loop
break; echo "still here $?"
#### continue outside a loop
continue; echo "still here $?"
#### break with invalid number
for i in 1 2; do break 0; echo $i; done; echo "st=$?"
#### for newline before do
for i in 1 2
do
  echo $i
done
#### while with pipe in condition
printf 'z\n' | while read -r x; do echo "[$x]"; done
#### for in loop break inside case
for i in 1 2 3; do case $i in 2) continue;; 3) break;; esac; echo $i; done
#### counting with arithmetic
s=0; for n in 1 2 3 4 5; do s=$((s+n)); done; echo $s
#### while loop with && condition
a=0; while [ $a -lt 5 ] && [ $a != 3 ]; do a=$((a+1)); done; echo $a
#### for loop with semicolons on one line
for a in x y; do echo $a; done; echo z
#### while loop errexit in body !e
i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i
#### for loop with false in body under -e !e
for i in 1 2; do echo $i; false; echo no; done
#### break after a failed round has status 0
n=0; while :; do n=$((n+1)); [ $n -ge 3 ] && break; done; echo "st=$?"
#### break after a failed round under errexit !e
for i in 1 2 3; do [ $i = 3 ] && break; done; echo "st=$?"
#### continue as last round status
for i in 1 2; do false; continue; done; echo "st=$?"
#### break out of a while read fed by a pipe
{ echo three; echo four; echo five; } | while read -r line; do echo "[$line]"; break; done; echo after
#### errexit in a while read fed by a pipe !e
{ echo three; echo four; } | while read -r line; do echo "[$line]"; false; done; echo four
#### read once from a pipe that has more
{ echo a; echo b; } | { read -r x; echo "$x"; }; echo "st=$?"
