#!/bin/sh
# Make an OCI bundle for the demo and the tests: tests/lib/mkbundle.sh DIR
#   DIR/rootfs       busybox rootfs (tests/lib/mkrootfs.sh)
#   DIR/config.json  `keel spec` with terminal false (kept if it exists)
# KEEL picks the runtime (default ./keel), JEDIT the JSON editor
# (default build/tools/jedit).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
keel=${KEEL:-$repo/keel}
jedit=${JEDIT:-$repo/build/tools/jedit}
mkdir -p "$1"
dir=$(cd "$1" && pwd)
"$here/mkrootfs.sh" "$dir/rootfs"
if [ ! -f "$dir/config.json" ]; then
	(cd "$dir" && "$keel" spec)
	"$jedit" "$dir/config.json" '.process.terminal=false' '.hostname="keel-demo"'
fi
