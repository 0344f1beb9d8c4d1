#!/usr/bin/env bash
# Builds the self-contained bundle target/crystal-db-<version>-<os>-<arch>.tar.gz from the
# application that `./mvnw package` left in target/quarkus-app/ (the `dist` Maven profile runs
# this script after that). The archive holds one directory with
#   crystal-db        the launcher (src/dist/crystal-db)
#   runtime/          a Java runtime made by jlink from JDK 25, trimmed to the modules jdeps finds
#   app/              the Quarkus application (aot-jar) with app/crystal-db.aot, the AOT cache of
#                     a training run, and app/native/libsqlitejdbc.so, SQLite's JNI library
#   README.md, share/ (systemd units, cron line, bash completion, man pages)
#
# usage: src/dist/build-bundle.sh [--jdk DIR] [--version VERSION]
#   --jdk DIR      the JDK 25+ that provides jlink, jdeps and the runtime
#                  (default: $CRYSTAL_DB_DIST_JDK, else /usr/lib/jvm/temurin-25-jdk-amd64)
#   --version V    the version in the archive name (default: the one in quarkus-run.jar)
set -euo pipefail

project=$(cd "$(dirname "$0")/../.." && pwd)
target=$project/target
jdk=${CRYSTAL_DB_DIST_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
version=
started=$(date +%s)

say() { echo "dist: $*" >&2; }
die() { echo "dist: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --jdk) [ $# -ge 2 ] || die "--jdk needs a directory"; jdk=$2; shift 2 ;;
    --version) [ $# -ge 2 ] || die "--version needs a value"; version=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

# --- the JDK ---------------------------------------------------------------------------------
for tool in java jlink jdeps; do
  [ -x "$jdk/bin/$tool" ] || die "no JDK 25 at $jdk ($jdk/bin/$tool is missing). Install one (e.g. Temurin 25 in /usr/lib/jvm/temurin-25-jdk-amd64) or point to it with -Ddist.jdk=DIR (Maven) / --jdk DIR (this script) / CRYSTAL_DB_DIST_JDK"
done
[ -f "$jdk/release" ] || die "$jdk/release is missing: $jdk is not a JDK image"
jdk_release() { sed -n "s/^$1=\"\\(.*\\)\"/\\1/p" "$jdk/release"; }
java_version=$(jdk_release JAVA_VERSION)
feature=${java_version%%[.+-]*}
case $feature in ''|*[!0-9]*) die "cannot read the Java version of $jdk (JAVA_VERSION=\"$java_version\" in release)" ;; esac
[ "$feature" -ge 25 ] || die "$jdk is Java $java_version; the bundle needs JDK 25 or newer (AOT cache: -XX:AOTCacheOutput). Point to one with -Ddist.jdk=DIR"
os=$(jdk_release OS_NAME | tr '[:upper:]' '[:lower:]')
arch=$(jdk_release OS_ARCH)
[ "$os" = linux ] || die "$jdk is a JDK for $os; the bundle and its launcher are for Linux"

# --- the application -------------------------------------------------------------------------
app_src=$target/quarkus-app
[ -f "$app_src/quarkus-run.jar" ] || die "$app_src/quarkus-run.jar is missing: build the application first (./mvnw package -Pdist, or ./mvnw package)"
[ -f "$app_src/quarkus/quarkus-application.dat" ] || die "$app_src is not a Quarkus aot-jar or fast-jar (quarkus/quarkus-application.dat missing); build it with ./mvnw package -Pdist"
tool() { "$jdk/bin/java" -XX:TieredStopAtLevel=1 "$project/src/dist/BundleTool.java" "$@"; }
dist=$target/dist
rm -rf "$dist"
mkdir -p "$dist"
if [ -z "$version" ]; then
  tool extract "$app_src/quarkus-run.jar" META-INF/MANIFEST.MF "$dist/MANIFEST.MF"
  version=$(awk -F': ' '/^Implementation-Version:/ { sub(/\r$/, "", $2); print $2 }' "$dist/MANIFEST.MF")
  [ -n "$version" ] || die "cannot read the version from quarkus-run.jar; pass --version"
fi

name=crystal-db-$version-$os-$arch
stage=$dist/$name
archive=$target/$name.tar.gz
say "building $archive with the runtime of $jdk (Java $java_version)"
rm -f "$archive"
mkdir -p "$stage"

# --- app/: the application as Quarkus built it (aot-jar with -Pdist), SQLite's JNI library beside it
cp -a "$app_src" "$stage/app"
rm -rf "$stage/app/native" # the JVM build's copy is for the build machine, this one for $arch
set -- "$stage"/app/lib/main/org.xerial.sqlite-jdbc-*.jar
[ $# -eq 1 ] && [ -f "$1" ] || die "expected one org.xerial.sqlite-jdbc jar in $app_src/lib/main, found: $*"
sqlite_jar=$1
sqlite_native=org/sqlite/native/Linux/$arch
tool extract "$sqlite_jar" "$sqlite_native/libsqlitejdbc.so" "$stage/app/native/libsqlitejdbc.so"
# the jar carries the library for ~25 platforms (13 MB); keep only this one (a fallback: the
# launcher points sqlite-jdbc at app/native, so it never unpacks the jar's copy)
tool trim-jar "$sqlite_jar" org/sqlite/native "$sqlite_native"

# --- runtime/: jlink with the modules the application needs ----------------------------------
# jdeps cannot take the jars as they are: some are modular and `require` modules that are not
# there on purpose (optional dependencies), which is fatal even with --ignore-missing-deps. So it
# reads all their classes unpacked into one directory, module-info.class left out.
say "finding the modules the application needs (jdeps)"
tool unpack-classes "$dist/classes" $(find "$stage/app" -name '*.jar' | sort)
modules=$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps -q "$dist/classes")
rm -rf "$dist/classes"
[ -n "$modules" ] || die "jdeps found no modules"
# What jdeps cannot see, because it is looked up at run time:
#   jdk.zipfs        the jar: file system provider (ServiceLoader); SmallRye Config reads
#                    application.properties through it, and fails at startup without it
#   jdk.unsupported  sun.misc.Unsafe for the libraries that probe for it by reflection
for extra in jdk.zipfs jdk.unsupported; do
  case ,$modules, in *,$extra,*) ;; *) modules=$modules,$extra ;; esac
done
say "jlink: $modules"
"$jdk/bin/jlink" --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --compress=zip-6 \
  --output "$stage/runtime"

# --- launcher, README, share/ ----------------------------------------------------------------
cp "$project/src/dist/crystal-db" "$stage/crystal-db"
chmod 755 "$stage/crystal-db"
cp "$project/README.md" "$stage/README.md"
# share/: the systemd units and cron line (src/dist/share), and the bash completion and man pages
# that the ops-docs step generates from the command definitions (target/dist-share)
generated=$target/dist-share
[ -f "$generated/bash-completion/crystal-db" ] && [ -d "$generated/man/man1" ] \
  || die "$generated has no bash completion or man pages: build without -Dexec.skip (the ops-docs step makes them)"
mkdir -p "$stage/share"
cp -R "$project/src/dist/share/." "$stage/share/"
cp -R "$generated/." "$stage/share/"

# --- the AOT cache: one training run of the bundle itself ------------------------------------
# A JDK 25 cache records one JVM run, so the training is one command that goes through most of
# the code a real deployment runs: on a database at the first bundled version (made beforehand,
# untrained), `upgrade --rehearse` checks the migration set, reads the history and the schema,
# copies the database with the backup writer, runs the pending migrations on the copy with every
# check (foreign keys, integrity, expected schema), takes the pre-upgrade backup, then applies
# them for real and prints the plan and the results. A no-op `upgrade` (what systemd runs before
# every start of the app) goes through a part of that.
#
# The training runs in a copy of the bundle at a random path that is deleted afterwards. The cache
# keeps the path of the jars it was trained with, and classes loaded from it report that path as
# their code source; Quarkus finds its application files from there. A bundle trained in place
# would, on a machine where the build directory still exists, quietly run the build's files instead
# of its own. A path that exists nowhere makes the JVM fall back to the bundle's own files.
training=$dist/training
mkdir -p "$training"
db=$training/train.db
trainee_root=$(mktemp -d "$dist/aot-training.XXXXXXXXXX")
trainee=$trainee_root/$name
cp -a "$stage" "$trainee"
first=$(find "$project/migrations" -maxdepth 1 -name 'V*__*.sql' -printf '%f\n' 2>/dev/null \
  | sed -n 's/^V\([0-9][0-9._]*\)__.*/\1/p' | tr _ . | sort -V | head -n 1)
count=$(find "$project/migrations" -maxdepth 1 -name 'V*__*.sql' | wc -l)
say "training the AOT cache"
if [ "$count" -ge 2 ]; then
  "$trainee/crystal-db" --db "$db" upgrade "$first" --create --yes >"$training/create.log" 2>&1 \
    || { cat "$training/create.log" >&2; die "the bundle failed to create the training database"; }
  training_cmd="upgrade --rehearse --yes"
else
  training_cmd="upgrade --create --yes"
fi
# shellcheck disable=SC2086 # training_cmd is a list of words
CRYSTAL_DB_JAVA_OPTS="-XX:AOTCacheOutput=$trainee_root/crystal-db.aot" \
  "$trainee/crystal-db" --db "$db" $training_cmd >"$training/train.log" 2>&1 \
  || { cat "$training/train.log" >&2; die "the training run (crystal-db $training_cmd) failed"; }
[ -s "$trainee_root/crystal-db.aot" ] || { cat "$training/train.log" >&2; die "the training run wrote no AOT cache"; }
mv "$trainee_root/crystal-db.aot" "$stage/app/crystal-db.aot"
rm -rf "$trainee_root"

# --- pack ------------------------------------------------------------------------------------
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$dist" -czf "$archive" "$name"

# --- check the archive, unpacked somewhere else ----------------------------------------------
# The cache must still be used when the bundle lives in another directory than the one it was
# trained in: an application class has to come from it ("source: shared objects file").
# The build's own copy is moved away meanwhile, so nothing can quietly read files from the path the
# cache was trained in (a packaging that did would pass here and fail on the server).
check=$dist/unpacked/somewhere/else
mkdir -p "$check"
tar -xzf "$archive" -C "$check"
bundle=$check/$name/crystal-db
mv "$stage" "$stage.moved-away"
trap 'mv "$stage.moved-away" "$stage" 2>/dev/null || true' EXIT
for cmd in "--version" "status" "history" "upgrade" "backup" "backups" "verify"; do
  # shellcheck disable=SC2086 # cmd holds one command name or option
  "$bundle" --db "$db" $cmd >"$training/check.log" 2>&1 \
    || { cat "$training/check.log" >&2; die "the unpacked bundle failed: crystal-db $cmd"; }
done
CRYSTAL_DB_JAVA_OPTS="-Xlog:class+load=info:file=$training/class-load.log" "$bundle" --db "$db" upgrade >/dev/null 2>&1 \
  || die "the unpacked bundle failed: crystal-db upgrade (with class loading logged)"
grep -q 'dev\.crystaldb\.cli\.CrystalDbCommand source: shared objects file' "$training/class-load.log" \
  || die "the AOT cache is not used when the bundle is unpacked elsewhere (see $training/class-load.log)"
shared=$(grep -c 'source: shared objects file' "$training/class-load.log" || true)
total=$(grep -c 'source:' "$training/class-load.log" || true)
rm -rf "$dist/unpacked"
mv "$stage.moved-away" "$stage"
trap - EXIT

say "done in $(( $(date +%s) - started )) s: $archive ($(du -k "$archive" | cut -f1) KiB; unpacked $(du -sk "$stage" | cut -f1) KiB; AOT cache $(du -k "$stage/app/crystal-db.aot" | cut -f1) KiB)"
say "unpacked elsewhere, a no-op upgrade loaded $shared of $total classes from the AOT cache"
