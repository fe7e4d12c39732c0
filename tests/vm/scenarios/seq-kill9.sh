#!/bin/sh
# seq-kill9 (issue #13): meshprov's sequence numbers survive kill -9, against
# a node nobody here wrote. meshprov (hci0) provisions one bluetooth-meshd
# device (hci1), then runs scripts of Config Default TTL Gets to it and is
# killed with SIGKILL mid-run, at a different point each time (as soon as
# another controller hears its first Get, though the shell's reaction under
# TCG lets a few answers through; after 1, 3 and 5 answers, at once or a
# moment later: some kills land between a Get and its Status), restarted,
# killed again; a last run must end normally. meshd drops an access message whose SEQ is not above the last
# it accepted from that source (its replay list, mesh/net.c
# msg_check_replay_cache: "Ignoring replayed packet") and answers the
# others, so each run's answers prove that its SEQs were new. meshd's debug
# log shows each new Network PDU's SEQ ("RX: Network SRC -> DST ... SEQ"):
# none from meshprov may appear twice (the network message cache already
# swallows identical repetitions, so a repeat would be a SEQ reused for
# another PDU), every run's are above every earlier run's, and the last
# SEQ meshd stored in its replay list (STORAGE/UUID/rpl/IV/SRC) is the
# highest seen.
# needs: provision nodes ttl
# timeout: 600
. "$(dirname "$0")/../lib.sh"
need_meshprov provision nodes ttl

GETS=40		# Gets per killed run (a Get and its Status: about 0.1 s here)
bt_up 3		# hci2: hciwatch
mp_controller_up
meshd_start dev hci1
u=$(new_uuid)
node_join dev "$u" none
step "provision $u"
{ mp_provision "$u" none 240; echo $? > /tmp/prov.st; } | stamp > /tmp/prov.log
cat /tmp/prov.log
[ "$(cat /tmp/prov.st)" = 0 ] || fail "provision: status $(cat /tmp/prov.st)"
verify_node dev "$u"
a=$(jget "$(node_result dev "$u")" unicast addr)
must /tmp/stations.json "station list" mp_station_list
me=$(python3 -c 'import json,sys
print("%04x" % [s for s in map(json.loads, open(sys.argv[1])) if s["self"]][0]["address"])' /tmp/stations.json)
mlog=$MPVM_RUN/dev/meshd.log

# answers FILE: the Default TTL Statuses in one run's output.
answers() { grep -c '"state":"ttl"' "$1"; }
# seqs: the SEQs of meshprov's Network PDUs meshd has logged so far, one a
# line, in the order meshd got them (hex).
seqs() {
	sed -n "s/.*RX: Network $me -> $a : .* SEQ 0x\([0-9a-f]*\).*/\1/p" "$mlog"
}

i=0
: > /tmp/gets
while [ $i -lt $GETS ]; do mp_ttl_get_line "$a" >> /tmp/gets; i=$((i + 1)); done

run=0
for kill_at in 0:0 1:0.3 3:0 5:0.5; do
	run=$((run + 1))
	k=${kill_at%%:*} d=${kill_at#*:}
	seqs > /tmp/seqs-before$run
	if [ "$k" = 0 ]; then
		# as soon as the run's first Mesh Message is on the air: hciwatch
		# (hci2) ends at the first one from meshprov's controller (meshd's
		# log comes in blocks: too late to watch)
		hciwatch_bg /tmp/w$run.log -i 2 -m -t 120 -n 1 -a "$(bt_addr hci0)"
		mp_bg /tmp/run$run.json --json -f /tmp/gets
		wait "$HCIWATCH_PID" ||
			{ cat /tmp/run$run.json; fail "run $run: nothing of meshprov's heard"; }
		grep mesh=msg /tmp/w$run.log
	else
		mp_bg /tmp/run$run.json --json -f /tmp/gets
		wait_for 120 sh -c "[ \$(grep -c '\"state\":\"ttl\"' /tmp/run$run.json) -ge $k ]" ||
			{ cat /tmp/run$run.json; fail "run $run: fewer than $k answers"; }
	fi
	sleep "$d"
	kill -9 "$MP_PID" 2>/dev/null; wait "$MP_PID"
	sleep 1		# meshd logs what was still in the air
	got=$(answers /tmp/run$run.json)
	step "run $run: kill -9 after $got answers (aimed at: $([ "$k" = 0 ] &&
		echo "its first Get on the air" || echo "answer $k"), then ${d}s)"
	[ "$got" -lt $GETS ] || fail "run $run ended before its kill: make GETS larger"
	seqs > /tmp/seqs-after$run
done

step "run $((run + 1)): to the end"
: > /tmp/last
i=0
while [ $i -lt 4 ]; do mp_ttl_get_line "$a" >> /tmp/last; i=$((i + 1)); done
mp_bg /tmp/last.json --json -f /tmp/last
wait "$MP_PID"; st=$?
cat /tmp/last.json
[ "$st" = 0 ] || fail "the last run: status $st"
[ "$(answers /tmp/last.json)" = 4 ] || fail "the last run: $(answers /tmp/last.json) answers of 4"
sleep 1		# meshd's log and replay list catch up with the last Status
seqs > /tmp/seqs-all

grep -q 'Ignoring replayed packet' "$mlog" && {
	grep -B3 'Ignoring replayed packet' "$mlog" | tail -20
	fail "meshd ignored a replayed packet"
}
rpl=$(cat "$MPVM_RUN/dev/storage/$u/rpl/"*/"$me" 2>/dev/null)
python3 - "$run" "$rpl" /tmp <<'PY' || fail "meshprov's SEQs"
import sys
runs, rpl, d = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rd = lambda p: [int(x, 16) for x in open(p).read().split()]
allseq = rd(d + '/seqs-all')
assert len(allseq) == len(set(allseq)), 'a SEQ meshd got twice: %s' % sorted(
    s for s in set(allseq) if allseq.count(s) > 1)
# each run's SEQs: what meshd logged after its start; all above the earlier runs'
prev = []
for r in range(1, runs + 1):
    before, after = rd(d + '/seqs-before%d' % r), rd(d + '/seqs-after%d' % r)
    mine = after[len(before):]
    assert mine, 'run %d: meshd heard nothing of it' % r
    assert not prev or min(mine) > max(prev), (r, mine, max(prev))
    print('  run %d: %d PDUs, SEQ %s' % (r, len(mine), '%06x..%06x' % (min(mine), max(mine))
                                         if mine else '-'))
    prev = after
last = allseq[len(prev):]
assert last and (not prev or min(last) > max(prev)), (last, prev)
print('  last run: %d PDUs, SEQ %06x..%06x' % (len(last), min(last), max(last)))
print('  %d PDUs from meshprov, no SEQ twice; meshd\'s replay list: %s' % (len(allseq), rpl))
# meshd records the SEQ of the last access message it accepted
assert rpl and int(rpl, 16) == max(allseq), (rpl, max(allseq))
PY
step "ok"
