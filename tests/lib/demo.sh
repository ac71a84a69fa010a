#!/bin/sh
# Run one container and show what it sees: tests/lib/demo.sh KEEL BUNDLE_DIR
# The bundle is made if needed (mkbundle.sh); the container runs with
# `keel run` (terminal false) under a temporary --root, removed afterwards.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 KEEL BUNDLE_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
case $1 in /*) keel=$1 ;; *) keel=$PWD/$1 ;; esac
bundle=$2
jedit=${JEDIT:-$repo/build/tools/jedit}
KEEL=$keel "$here/mkbundle.sh" "$bundle"
bundle=$(cd "$bundle" && pwd)

script='
section() { printf "\n== %s\n" "$1"; }
section "hostname";          hostname
section "my pid";            echo "pid=$$"
section "id";                id
section "root directory";    ls /
section "namespaces";        for n in /proc/self/ns/*; do echo "${n##*/} $(readlink $n)"; done
section "mounts";            awk "{ print \$2, \$3, \$4 }" /proc/mounts
section "processes";         ps -o pid,comm
'
"$jedit" "$bundle/config.json" '.process.terminal=false' \
	".process.args=[\"sh\",\"-c\",$(printf '%s' "$script" | sed 's/\\/\\\\/g; s/"/\\"/g' | awk '{printf "%s\\n", $0}' | sed 's/^/"/; s/$/"/')]"

root=$(mktemp -d /tmp/keel-demo.XXXXXX)
trap 'rm -rf "$root"' EXIT
id=demo-$$
echo "keel: $("$keel" --version | head -1)"
echo "bundle: $bundle"
echo "host: pid namespace $(readlink /proc/self/ns/pid), hostname $(hostname)"
status=0
"$keel" --root "$root" run --bundle "$bundle" "$id" </dev/null || status=$?
echo
echo "container exited with status $status"
exit $status
