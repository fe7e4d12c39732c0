#!/bin/sh
# make check: the source tree keeps to the layer matrix (mk/layers.txt), and
# the checker itself still catches a crossing (a copy of the tree with one
# forbidden include added must fail, so this test cannot pass by checking
# nothing).
set -u
SRC=${MESHPROV_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CHECK="$SRC/tests/layers/check-layers.py"
T=$(mktemp -d /tmp/meshprov-layers.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS: $1"; }
ko() { fail=$((fail + 1)); echo "FAIL: $1"; sed 's/^/    /' "$T/out" | head -30; }

python3 "$CHECK" "$SRC" > "$T/out" 2>&1 && ok "no include crosses a layer boundary" ||
	ko "no include crosses a layer boundary"

# The same tree with violations planted: each must be named.
mkdir "$T/tree"
cp -r "$SRC/mk" "$SRC/src" "$SRC/include" "$T/tree/"
printf '#include "cli/app.h"\n' >> "$T/tree/src/core/buf.c"
printf '#include "kr_int.h"\n' >> "$T/tree/src/prov/pdu.c"
printf '#include "../store/kr_int.h"\n' >> "$T/tree/src/crypto/crypto.c"
printf '#include "store/kr_int.h"\n' >> "$T/tree/src/engine/engine.c"
mkdir "$T/tree/src/nolayer"
if python3 "$CHECK" "$T/tree" > "$T/out" 2>&1; then
	ko "a planted upward include fails the check"
elif grep -q 'src/core/buf.c:.*core includes "cli/app.h"' "$T/out" &&
	grep -q 'src/prov/pdu.c:.*"kr_int.h" is not a private header of src/prov/' "$T/out" &&
	grep -q 'src/crypto/crypto.c:.*no relative paths' "$T/out" &&
	grep -q 'src/engine/engine.c:.*"store/kr_int.h" is no public header of store' "$T/out" &&
	grep -q 'src/nolayer/: a layer that mk/layers.txt does not list' "$T/out"; then
	ok "a planted upward include, a foreign private header (bare or layer/), a ../ path and an unknown layer are each named"
else
	ko "a planted upward include, a foreign private header (bare or layer/), a ../ path and an unknown layer are each named"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
