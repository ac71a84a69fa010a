#!/bin/sh
# Make a minimal rootfs from the host's busybox-static: tests/lib/mkrootfs.sh DIR
# Idempotent and quick: an existing rootfs made from the same busybox is kept.
set -eu
mkdir -p "$1"
dir=$(cd "$1" && pwd)
bb=/bin/busybox
[ -x "$bb" ] || { echo "mkrootfs: $bb missing (Debian package busybox-static)" >&2; exit 1; }
stamp="$dir/.keel-rootfs"
sum=$(cksum < "$bb")
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && exit 0
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
mkdir -p bin sbin etc proc sys dev tmp root home/user var/run run usr/bin usr/sbin
cp "$bb" bin/busybox
# Every applet as a symlink, so the container has sh, ls, cat, id, ...
for a in $(./bin/busybox --list-full); do
	[ -e "$a" ] || ln -s /bin/busybox "$a"
done
cat > etc/passwd <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > etc/group <<'G'
root:x:0:
daemon:x:1:
wheel:x:10:user
user:x:1000:
audio:x:29:user
nogroup:x:65534:
G
echo keel-rootfs > etc/hostname
chmod 1777 tmp
echo "$sum" > "$stamp"
