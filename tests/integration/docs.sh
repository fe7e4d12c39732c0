#!/bin/sh
# The command table against everything that describes it: `help`, the man
# page, the bash and zsh completions (which must be exactly what
# completions/gen-completions.py makes of the table), and --help for the
# global options. Run by `make check` (MESHPROV points at the binary).
set -u
NAME=docs; . "${MESHPROV_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
KO_SHOW=why	# a failure shows why

if "$BIN" --dump-commands > "$T/table.json" && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/table.json"
then ok "--dump-commands gives the table as JSON"; else ko "--dump-commands gives the table as JSON"; exit 1; fi

# Completions: generated from the table, committed, and still in sync.
mkdir "$T/gen"
python3 "$SRC/completions/gen-completions.py" "$T/gen" < "$T/table.json"
for f in meshprov.bash _meshprov; do
	if diff -u "$SRC/completions/$f" "$T/gen/$f" > "$T/why"; then
		ok "completions/$f matches the command table"
	else
		echo "run: ./meshprov --dump-commands | completions/gen-completions.py completions" >> "$T/why"
		ko "completions/$f matches the command table"
	fi
done
bash -n "$SRC/completions/meshprov.bash" 2> "$T/why" && ok "bash completion parses" || ko "bash completion parses"
if command -v zsh > /dev/null; then
	zsh -n "$SRC/completions/_meshprov" 2> "$T/why" && ok "zsh completion parses" || ko "zsh completion parses"
fi

"$BIN" help > "$T/help.txt" 2>&1
"$BIN" --help > "$T/usage.txt" 2>&1
# Every command, option and global option appears where it should.
python3 - "$T/table.json" "$SRC" "$BIN" "$T/help.txt" "$T/usage.txt" > "$T/report" <<'END_PY'
import json, re, subprocess, sys
table = json.load(open(sys.argv[1]))
src, binary = sys.argv[2], sys.argv[3]
help_all, usage = open(sys.argv[4]).read(), open(sys.argv[5]).read()
man = open(src + "/man/meshprov.1").read()
# the man page as text: drop font escapes and roff's \- so names can be found
man_txt = re.sub(r"\\f[BIRP]|\\-|\\c", lambda m: "-" if m.group(0) == "\\-" else "", man)
man_txt = man_txt.replace('"', "")
bash = open(src + "/completions/meshprov.bash").read()
zsh = open(src + "/completions/_meshprov").read()

def report(name, missing):
    print(("PASS: " if not missing else "FAIL: ") + name)
    for m in missing:
        print("    missing: " + m)

cmds = table["commands"]
report("every command is in `help`", [c["name"] for c in cmds
       if not re.search(r"^  " + re.escape(c["name"]) + r"\b", help_all, re.M)])
report("every command is in --help", [c["name"] for c in cmds if "  " + c["name"] not in usage])
report("every command is in the man page", [c["name"] for c in cmds
       if not re.search(r"^\.BR? \"?" + re.escape(c["name"]) + r"\b", man, re.M)])
missing = []
for c in cmds:
    h = subprocess.run([binary, "help"] + c["name"].split(), capture_output=True, text=True).stdout
    for o in c["options"]:
        if o["name"] not in h:
            missing.append("help %s: %s" % (c["name"], o["name"]))
report("`help COMMAND` shows each of its options", missing)
report("every command option is in the man page",
       ["%s %s" % (c["name"], o["name"]) for c in cmds for o in c["options"]
        if o["name"] not in man_txt])
report("every global option is in the man page and --help",
       [g["name"] for g in table["globals"]
        if "--" + g["name"] not in man_txt or "--" + g["name"] not in usage])
report("every command is in the bash completion",
       [c["name"] for c in cmds if '"%s")' % c["name"] not in bash
        or c["name"].split()[-1] not in bash])
report("every command is in the zsh completion",
       [c["name"] for c in cmds if "'%s')" % c["name"] not in zsh])
# Every JSON event the code can emit (each name is written MP_EVENT("...")
# in src/cli) is listed under JSON OUTPUT, and every one listed is emitted.
import glob, shlex
code_ev = set()
for f in glob.glob(src + "/src/cli/*.c"):
    code_ev |= set(re.findall(r'MP_EVENT\("([a-z-]+)"\)', open(f).read()))
sect = man[man.index(".SH JSON OUTPUT"):man.index(".SH EXIT STATUS")].split("\n")
man_ev = set()
for i, l in enumerate(sect[:-1]):
    if l == ".TP" and sect[i + 1].startswith((".B ", ".BR ")):
        words = shlex.split(sect[i + 1].split(" ", 1)[1].replace("\\-", "-"))
        man_ev |= {w for w in words[::2] if re.fullmatch(r"[a-z-]+", w)}
report("the code emits at least the usual events", [e for e in
       ("provisioned", "failed", "summary", "node", "error") if e not in code_ev])
report("every JSON event the code emits is in the man page", sorted(code_ev - man_ev))
report("every JSON event in the man page is one the code emits", sorted(man_ev - code_ev))
report("the man page documents the exit codes",
       [str(n) for n in range(5) if not re.search(r"^\.B %d$" % n, man, re.M)])
END_PY
while IFS= read -r line; do
	case $line in
	PASS:*) pass=$((pass + 1)); echo "$line";;
	FAIL:*) fail=$((fail + 1)); echo "$line";;
	*) echo "$line";;
	esac
done < "$T/report"
[ -s "$T/report" ] || ko "consistency checks ran"

if command -v groff > /dev/null; then
	for m in meshprov.1 meshprov-keyring.5; do
		groff -man -Tutf8 -ww "$SRC/man/$m" 2> "$T/why" > /dev/null
		[ ! -s "$T/why" ] && ok "man/$m formats without warnings" || ko "man/$m formats without warnings"
	done
fi

# The bash completion really completes, from the table.
cat > "$T/try.bash" <<END_SH
. "$SRC/completions/meshprov.bash"
t() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\$# - 1)); _meshprov; echo "\${COMPREPLY[*]}"; }
t meshprov node s
t meshprov -k /tmp/x provision --au
t meshprov provision --auth ''
t meshprov --sim-oob o
t meshprov sc
END_SH
printf 'show\n--auth\nnone output input static:\noutput\nscan\n' > "$T/want"
bash "$T/try.bash" > "$T/got" 2>&1
diff -u "$T/want" "$T/got" > "$T/why" && ok "bash completion completes subcommands, options and values" \
	|| ko "bash completion completes subcommands, options and values"

# Key indexes come from the keyring: bash offers the indexes.
BINABS=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
"$BIN" --keyring "$T/k.json" appkey create --name 'a:b "c"' > /dev/null 2>&1
"$BIN" --keyring "$T/k.json" appkey create 10 > /dev/null 2>&1
cat > "$T/keys.bash" <<END_SH
. "$SRC/completions/meshprov.bash"
COMP_WORDS=("$BINABS" --keyring "$T/k.json" appkey rename ''); COMP_CWORD=5; _meshprov
echo "\${COMPREPLY[*]}"
END_SH
[ "$(bash "$T/keys.bash" 2>&1)" = "0x000 0x010" ] &&
	ok "bash completion offers the keyring's AppKey indexes" ||
	ko "bash completion offers the keyring's AppKey indexes"
# zsh and the shell take the same words with their descriptions from
# meshprov --complete (cli/complete.c): each index with its key's name.
"$BIN" --keyring "$T/k.json" --complete appkey > "$T/got" 2>&1
printf '0x000\ta:b "c"\n0x010\tAppKey 16\n' > "$T/want"
diff -u "$T/want" "$T/got" > "$T/why" && ok "--complete appkey describes AppKey indexes by name" ||
	{ cat "$T/why"; ko "--complete appkey describes AppKey indexes by name"; }

finish
