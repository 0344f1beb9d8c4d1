#!/usr/bin/env bash
# Builds the archive to ship, target/crystal-db-<version>-linux-<arch>.tar.gz, from the native executable
# that `./mvnw package -Pdist` (or -Dnative) left in target/ (the `dist` Maven profile runs this script
# after it). The archive holds one directory with
#   crystal-db        the native executable, one file that runs on its own (needs glibc 2.17 or later and
#                     nothing else): it carries SQLite's JNI library, the JDK's libjava, libnio, libnet,
#                     libzip, libextnet and crystal-db's libjvm.so inside (native/README.md)
#   share/            systemd units, cron line, bash completion, man pages, and share/licenses/openjdk:
#                     the licence of the JDK libraries inside the executable (GPLv2 with the Classpath Exception)
#   README.md, docs/  the operator guide and the documents it links to
#
# usage: src/dist/build-archive.sh [--version VERSION] [--jdk DIR]
#   --version V    the version in the archive name (default: what target/crystal-db --version prints)
#   --jdk DIR      the JDK whose libraries the executable carries, for its licence files (default: the native build's,
#                  /usr/lib/jvm/temurin-25-jdk-amd64)
set -euo pipefail

project=$(cd "$(dirname "$0")/../.." && pwd)
target=$project/target
jdk=/usr/lib/jvm/temurin-25-jdk-amd64
version=
started=$(date +%s)

say() { echo "dist: $*" >&2; }
die() { echo "dist: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --version) [ $# -ge 2 ] || die "--version needs a value"; version=$2; shift 2 ;;
    --jdk) [ $# -ge 2 ] || die "--jdk needs a directory"; jdk=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

executable=$target/crystal-db
[ -x "$executable" ] && [ "$(head -c 4 "$executable")" = "$(printf '\177ELF')" ] \
  || die "$executable is not the native executable: build it with ./mvnw package -Pdist (or -Dnative)"
generated=$target/dist-share
[ -f "$generated/bash-completion/crystal-db" ] && [ -d "$generated/man/man1" ] \
  || die "$generated has no bash completion or man pages: build without -Dexec.skip (the ops-docs step makes them)"
if [ -z "$version" ]; then
  version=$("$executable" --version | sed -n 's/^crystal-db //p')
  [ -n "$version" ] || die "cannot read the version from $executable --version; pass --version"
fi
case $(uname -m) in x86_64) arch=x86_64 ;; aarch64) arch=aarch64 ;; *) die "unsupported machine $(uname -m)" ;; esac

name=crystal-db-$version-linux-$arch
dist=$target/dist
stage=$dist/$name
archive=$target/$name.tar.gz
rm -rf "$dist" "$archive"
mkdir -p "$stage/share"

cp "$executable" "$stage/crystal-db"
chmod 755 "$stage/crystal-db"
cp "$project/README.md" "$stage/README.md"
cp -R "$project/docs" "$stage/docs"
# share/: the systemd units and cron line (src/dist/share), the bash completion and man pages that the
# ops-docs step generates from the command definitions (target/dist-share)
cp -R "$project/src/dist/share/." "$stage/share/"
cp -R "$generated/." "$stage/share/"

# the JDK's libraries inside the executable come with their licence: OpenJDK's GPLv2 with the Classpath
# Exception and the notices of what they include (zlib in libzip); the JDK's release file names the build
# they are from. Where a GraalVM linked the executable, it has the JDK's code statically, under the same licence.
[ -f "$jdk/legal/java.base/LICENSE" ] || die "$jdk/legal/java.base/LICENSE is missing: pass the JDK of the native build with --jdk"
licenses=$stage/share/licenses/openjdk
mkdir -p "$licenses"
cp -L "$jdk"/legal/java.base/* "$licenses/"
cp "$jdk/release" "$licenses/release"
cat > "$licenses/README" <<EOF
The crystal-db executable carries libjava.so, libnio.so, libnet.so, libzip.so and libextnet.so, the JDK's
own libraries, unchanged from $(sed -n 's/^IMPLEMENTOR_VERSION="\(.*\)"/\1/p' "$jdk/release") (OpenJDK, see release for the
build and its source revision), and loads them from memory at start. They are licensed under the GNU General
Public License, version 2, with the Classpath Exception (LICENSE, ASSEMBLY_EXCEPTION, ADDITIONAL_LICENSE_INFO);
the *.md files are the notices of the code they include. The libjvm.so it carries is crystal-db's own
(native/c in its source), not the JDK's.
EOF

tar --sort=name --owner=0 --group=0 --numeric-owner -C "$dist" -czf "$archive" "$name"

# the archive's executable alone in another directory must run on its own
check=$dist/unpacked/somewhere/else
mkdir -p "$check"
tar -xzf "$archive" -C "$check" "$name/crystal-db"
[ "$(ls -A "$check/$name")" = crystal-db ] || die "unpacking $name/crystal-db alone gave: $(ls -A "$check/$name")"
db=$dist/check.db
for args in "--version" "--db $db upgrade --create --yes" "--db $db status --check" "--db $db backup" "--db $db verify"; do
  # shellcheck disable=SC2086 # args is a list of words
  "$check/$name/crystal-db" $args >"$dist/check.log" 2>&1 \
    || { cat "$dist/check.log" >&2; die "the unpacked archive failed: crystal-db $args"; }
done
rm -rf "$dist/unpacked" "$dist"/check.db* "$dist/backups"

say "done in $(( $(date +%s) - started )) s: $archive ($(du -k "$archive" | cut -f1) KiB; unpacked $(du -sk "$stage" | cut -f1) KiB)"
