#!/bin/sh
# prov-static (issue 6, scenario 2a): meshprov provisions meshd's device with
# Static OOB; the node is checked from both sides.
# needs: provision nodes
# timeout: 300
. "$(dirname "$0")/../lib.sh"
need_meshprov provision nodes

bt_up 2
mp_controller_up
meshd_start dev hci1

u=$(new_uuid)
key=$(new_uuid)		# 16 random bytes
node_join dev "$u" "static:$key"
must /tmp/prov.json "static OOB: meshprov" mp_provision "$u" "static:$key" 120
grep -q PROMPT_STATIC "$MPVM_RUN/dev/node-$u.log" || fail "the device's agent was never asked"
verify_node dev "$u"
step "ok"
