#!/bin/sh
# oob-helper.sh: meshprov's --oob-cmd in the VM tests; plays the person
# between meshprov and the device's agent (guest/mesh-node.py), through the
# file node_join gave the agent: $MPVM_RUN/NAME/node-UUID.oob.
#   oob-helper.sh UUID output ACTION SIZE        prints the number the device
#                                                displays (what a user types)
#   oob-helper.sh UUID input ACTION SIZE         enters $MESHPROV_VALUE on the device
uuid=$(printf '%s' "$1" | tr -d - | tr 'A-F' 'a-f')
# meshprov gives the Input OOB value in MESHPROV_VALUE only (off argv)
method=$2 value=${MESHPROV_VALUE:-}
say() { echo "oob-helper: $*" >&2; }
# the agent's file, in whichever meshd instance's directory it is
for f in /tmp/mpvm/*/node-"$uuid".log; do
	oob=${f%.log}.oob
done
[ -f "${oob%.oob}.log" ] || { say "no device $uuid joining"; exit 1; }
case $method in
output)
	i=0
	while [ ! -s "$oob" ]; do
		i=$((i + 1)); [ $i -le 600 ] || { say "the device displayed nothing"; exit 1; }
		sleep 0.1
	done
	say "the device displays $(cat "$oob")"
	cat "$oob"
	;;
input)
	say "entering $value on the device"
	printf '%s\n' "$value" > "$oob.tmp" && mv "$oob.tmp" "$oob"
	;;
*)
	say "unknown method $method"; exit 1 ;;
esac
