#!/bin/bash
# tests/integration/mkimage.sh OUT.tar [NAME[:TAG]]
#
# Writes an OCI image-layout tarball (oci-layout, index.json, blobs/sha256/...) of a
# busybox image made from the host's busybox-static, with no network:
#   layer   (uncompressed tar) /bin/busybox, every applet as a symlink to it,
#           /etc/passwd, /etc/group, /tmp (1777), /root, /home/user
#   config  Cmd ["/bin/sh"], Env [PATH=...], os linux, the host's architecture
#   index   one manifest, annotated with
#             io.containerd.image.name          the full name  (ctr images import)
#             org.opencontainers.image.ref.name the full name  (podman load)
# NAME defaults to keel-busybox, TAG to latest; a NAME without a registry is
# docker.io/library/NAME (or docker.io/NAME when it has a '/'), as engines normalise it:
#   mkimage.sh build/img.tar              -> docker.io/library/keel-busybox:latest
#   mkimage.sh build/img.tar localhost/bb:1 -> localhost/bb:1
#
# Deterministic: the same busybox, NAME and script give the same bytes (mtime 0, uid 0,
# sorted entries). The tarball is cached in build/images/ and copied to OUT.
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 OUT.tar [NAME[:TAG]]" >&2; exit 2; }
out=$1
ref=${2:-keel-busybox:latest}
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
bb=/bin/busybox
[ -x "$bb" ] || { echo "mkimage: $bb missing (Debian package busybox-static)" >&2; exit 1; }

# NAME:TAG -> full reference. A ':' after the last '/' is the tag.
name=$ref tag=latest
case ${ref##*/} in *:*) name=${ref%:*} tag=${ref##*:} ;; esac
case $name in
*/*) first=${name%%/*}
     case $first in *.*|*:*|localhost) ;; *) name=docker.io/$name ;; esac ;;
*) name=docker.io/library/$name ;;
esac
full=$name:$tag
[[ $full =~ ^[a-z0-9._/:-]+:[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] ||
	{ echo "mkimage: '$ref': not a valid image name" >&2; exit 2; }

key=$({ cksum < "$bb"; cksum < "$0"; echo "$full"; } | sha256sum | cut -c1-16)
cache=$repo/build/images
cached=$cache/busybox-$key.tar

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# Same options for every tar: stable order, owner, times and headers.
dtar() {
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		--format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		"$@"
}

build() {
	local w
	w=$(mktemp -d "$cache/.mkimage.XXXXXX")
	trap 'rm -rf "$w"' RETURN
	local r=$w/rootfs l=$w/layout
	mkdir -p "$r"/{bin,etc,tmp,root,home/user} "$l/blobs/sha256"
	cp "$bb" "$r/bin/busybox"
	chmod 0755 "$r/bin/busybox"
	local a
	for a in $("$bb" --list-full); do
		[ "$a" = bin/busybox ] && continue
		mkdir -p "$r/$(dirname "$a")"
		ln -sf /bin/busybox "$r/$a"
	done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'daemon:x:1:1:daemon:/usr/sbin:/bin/false' \
		'user:x:1000:1000:user:/home/user:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' > "$r/etc/passwd"
	printf '%s\n' 'root:x:0:' 'daemon:x:1:' 'user:x:1000:' 'nogroup:x:65534:' > "$r/etc/group"
	chmod 0644 "$r/etc/passwd" "$r/etc/group"
	chmod 1777 "$r/tmp"
	chmod 0700 "$r/root"
	find "$r" -type d ! -path "$r/tmp" ! -path "$r/root" -exec chmod 0755 {} +

	dtar -C "$r" -cf "$w/layer.tar" .
	local ld ls
	ld=$(sha "$w/layer.tar")
	ls=$(size "$w/layer.tar")
	mv "$w/layer.tar" "$l/blobs/sha256/$ld"

	local arch
	arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
	case $arch in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
	printf '{"created":"1970-01-01T00:00:00Z","architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"tests/integration/mkimage.sh"}]}' \
		"$arch" "$ld" > "$w/config.json"
	local cfd cs
	cfd=$(sha "$w/config.json")
	cs=$(size "$w/config.json")
	mv "$w/config.json" "$l/blobs/sha256/$cfd"

	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
		"$cfd" "$cs" "$ld" "$ls" > "$w/manifest.json"
	local md ms
	md=$(sha "$w/manifest.json")
	ms=$(size "$w/manifest.json")
	mv "$w/manifest.json" "$l/blobs/sha256/$md"

	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"},"platform":{"architecture":"%s","os":"linux"}}]}' \
		"$md" "$ms" "$full" "$full" "$arch" > "$l/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}' > "$l/oci-layout"
	find "$l" -type d -exec chmod 0755 {} +
	find "$l" -type f -exec chmod 0644 {} +

	dtar -C "$l" -cf "$w/image.tar" oci-layout index.json blobs
	mv "$w/image.tar" "$cached"
}

mkdir -p "$cache"
[ -f "$cached" ] || build
mkdir -p "$(dirname "$out")"
cmp -s "$cached" "$out" 2>/dev/null || { cp "$cached" "$out.tmp.$$" && mv "$out.tmp.$$" "$out"; }
