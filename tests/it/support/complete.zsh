# Prints, one a line, the candidates zsh offers for a command line.
#
#   zsh -f complete.zsh SCRIPT LINE
#
# Starts an interactive zsh on a pseudo-terminal (zsh/zpty), loads compinit
# and SCRIPT there, types LINE and a Tab, and records every match that the
# completion functions add, as `compadd` would add them. The inner shell
# prints a marker when completion is over, so nothing here waits on a timer.
zmodload zsh/zpty || { print -u2 "zsh has no zsh/zpty module"; exit 3 }
[[ -r $1 ]] || { print -u2 "cannot read $1"; exit 3 }
out=$(mktemp) || exit 3

zpty completer zsh -f -i
# Only now: the inner shell is a fork of this one and would run the trap too.
trap 'rm -f $out' EXIT
# A quiet prompt, completion from the distribution's functions (no dump file
# written), then the script under test.
zpty -w completer "PS1='' PROMPT='' RPROMPT=''; unsetopt beep"
zpty -w completer "autoload -Uz compinit && compinit -u -D"
zpty -w completer "source ${(q)1}"
# compadd records the matches instead of offering them. Calls that only ask
# (-O, -A, -D: into an array) go through unchanged, as _arguments relies on
# them. -P (shown) and -p (hidden) prefixes are part of what gets inserted.
zpty -w completer 'compadd() {
  local -a opts; opts=(${@[1,${@[(i)(-|--)]}-1]})
  if (( ${opts[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi
  local -a hits shown hidden
  zparseopts -E P:=shown p:=hidden
  builtin compadd -A hits "$@"
  local hit; for hit in $hits; do print -r -- "${shown[2]}${hidden[2]}$hit" >> $OUT; done
}'
zpty -w completer "OUT=${(q)out}"
zpty -w completer "completion-over() { print -n \$'\\x02over\\x03'; exit }; comppostfuncs=(completion-over)"
zpty -w completer "bindkey '^I' complete-word"
zpty -w -n completer "$2"$'\t'
if ! zpty -r completer seen $'*\x02over\x03*'; then
  print -u2 "zsh ended before completing"
  exit 3
fi
zpty -d completer
cat $out
