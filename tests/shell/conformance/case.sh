# `case`: patterns with `|`, globs, quoting, no fall-through.
#### case literal match
case abc in abc) echo yes;; esac
#### case glob star
case hello.txt in *.md) echo md;; *.txt) echo txt;; esac
#### case alternatives
for x in a b c d; do case $x in a|c) echo "$x ac";; b) echo "$x b";; *) echo "$x other";; esac; done
#### case first match wins
case foo in f*) echo one;; fo*) echo two;; esac
#### case no match status 0
false; case x in y) echo no;; esac; echo "st=$?"
#### case body status
case x in x) false;; esac; echo "st=$?"
#### case question mark
case ab in ?) echo one;; ??) echo two;; esac
#### case bracket
case b in [abc]) echo in;; *) echo out;; esac
#### case negated bracket
case z in [!abc]) echo notabc;; *) echo abc;; esac
#### case range bracket
case 5 in [0-9]) echo digit;; esac
#### case quoted star is literal
case 'a*' in "a*") echo lit;; esac; case abc in "a*") echo wrong;; *) echo right;; esac
#### case escaped star
case abc in a\*) echo wrong;; *) echo right;; esac
#### case pattern from variable is a glob
p='*.c'; case main.c in $p) echo glob;; esac
#### case quoted variable pattern is literal
p='*.c'; case main.c in "$p") echo wrong;; *) echo lit;; esac
#### case leading paren
case x in (x) echo paren;; esac
#### case newlines everywhere
case y
in
  x)
    echo x
    ;;
  y)
    echo y
    ;;
esac
#### case empty body
case a in a) ;; b) echo b;; esac; echo done
#### case last item without ;;
case b in a) echo a;; b) echo b
esac
#### case empty word
x=; case "$x" in "") echo empty;; *) echo full;; esac
#### case star matches slash
case a/b/c in a*c) echo yes;; esac
#### case dot files
case .hidden in *hidden) echo yes;; esac
#### case in loop with break
for i in 1 2 3 4; do case $i in 3) break;; esac; echo $i; done
#### case with command substitution word
case $(echo hi) in hi) echo got;; esac
#### case nested
case a in a) case b in b) echo ab;; esac;; esac
#### case class alpha
case x in [[:alpha:]]) echo alpha;; esac; case 1 in [[:alpha:]]) echo no;; [[:digit:]]) echo digit;; esac
#### case with pipe output
case one in one) echo first; echo second;; esac | sort
#### case word is expanded but not split
x='a b'; case $x in 'a b') echo whole;; esac
#### case tilde pattern
case /lily-home in ~) echo home;; esac
#### case reserved words in body
case x in x) if true; then echo if; fi; for i in 1; do echo for; done;; esac
#### case on one line with semicolons
case 1 in 1) echo a; echo b;; 2) echo c;; esac
#### case bracket with dash at end
case - in [a-]) echo dash;; esac
#### case after && chain
true && case z in z) echo z;; esac
#### case redirect output
case a in a) echo inside;; esac > out.txt; cat out.txt
#### case pattern with spaces quoted
case "x y" in "x y"|z) echo q;; esac
#### case fallthrough is bash !refuse
case a in a) echo a;& b) echo b;; esac
#### case test-next is bash !refuse
case a in a) echo a;;& *) echo b;; esac
