#!/usr/bin/env bash
# Tests what ships on systems without Java: minimal Debian roots made by debootstrap (cached between
# runs), bookworm and bullseye (an older glibc), run through chroot.
# First the executable alone, the archive's crystal-db and no other file, copied to /usr/local/bin/crystal-db
# (it carries its libraries inside): no java there; ldd names only glibc; --version; upgrade --create,
# status --check, backup and rollback --latest --yes exit 0 and do their work (the host's sqlite3 reads the
# chroot's files: version 5, the backup, the restored content, the emergency backup); then bundle writes a
# copy of it carrying a set of two migrations, again one file that runs alone, which upgrades a new database
# to 2, and a damaged copy is exit 4; nothing is left in the chroot's /tmp or /dev/shm. Then the archive
# unpacked as the README says (/opt/crystal-db, symlinked from /usr/local/bin/crystal-db): no lib/, the ops
# files in share/ (the bash completion loads), the JDK libraries' licence, --version and status through the symlink.
#
# usage (as root): src/dist/test-archive-in-chroot.sh [--suite SUITE]... [ARCHIVE.tar.gz]
#   --suite SUITE   a Debian release to test on (repeatable; default: bookworm and bullseye)
#   default archive: the one target/crystal-db-*-linux-*.tar.gz (./mvnw package -Pdist)
#   CRYSTAL_DB_TEST_ROOTFS_DIR  where the root file systems are kept (default /var/cache/crystal-db-test;
#                               SUITE-minbase in it, made when missing, reused when present; delete to start afresh)
#   CRYSTAL_DB_TEST_MIRROR      the Debian mirror for debootstrap (default http://deb.debian.org/debian)
# Installs what it needs with apt-get (debootstrap, sqlite3). Runs are serialised by a lock per system.
set -euo pipefail

project=$(cd "$(dirname "$0")/../.." && pwd)
cache=${CRYSTAL_DB_TEST_ROOTFS_DIR:-/var/cache/crystal-db-test}
mirror=${CRYSTAL_DB_TEST_MIRROR:-http://deb.debian.org/debian}
started=$(date +%s)

say() { echo "chroot-test: $*" >&2; }
die() { echo "chroot-test: FAILED: $*" >&2; exit 1; }

suites=()
archive=
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --suite) [ $# -ge 2 ] || die "--suite needs a Debian release name"; suites+=("$2"); shift 2 ;;
    *) archive=$1; shift ;;
  esac
done
[ ${#suites[@]} -gt 0 ] || suites=(bookworm bullseye)
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, mount, chroot)"

if [ -z "$archive" ]; then
  set -- "$project"/target/crystal-db-*-linux-*.tar.gz
  [ $# -eq 1 ] && [ -f "$1" ] || die "expected one target/crystal-db-*-linux-*.tar.gz, found: $* (build it: ./mvnw -B -q package -Pdist -DskipTests)"
  archive=$1
fi
[ -f "$archive" ] || die "no archive $archive"
archive=$(readlink -f "$archive")
version=$(basename "$archive" .tar.gz)
version=${version#crystal-db-}
version=${version%-linux-*}

# --- tools -----------------------------------------------------------------------------------
missing=
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing="$missing debootstrap"
command -v sqlite3 >/dev/null 2>&1 || missing="$missing sqlite3"
if [ -n "$missing" ]; then
  say "installing$missing"
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
export PATH=$PATH:/usr/sbin:/sbin

mounts_under() { awk -v p="$1/" 'index($2 "/", p) == 1 { print $2 }' /proc/mounts; }
unmount_all_under() {
  local m
  for m in $(mounts_under "$1" | sort -r); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
}

# test_on SUITE: the whole test on one Debian release (run in a subshell: its own lock, traps and cleanup)
test_on() {
  local suite=$1 t0
  # canonical, so that it matches the mount points listed in /proc/mounts
  rootfs=$(realpath -m "$cache/$suite-minbase")
  mkdir -p "$(dirname "$rootfs")"
  # one run at a time per root file system (the chroot and its /proc mount are shared)
  exec 9>"$rootfs.lock"
  flock 9

  # --- the root file system, made once -------------------------------------------------------
  if [ ! -f "$rootfs/.crystal-db-test-complete" ]; then
    for dir in "$rootfs" "$rootfs.partial"; do
      if [ -e "$dir" ]; then
        unmount_all_under "$dir"
        [ -z "$(mounts_under "$dir")" ] || die "$dir still has mounts; not deleting it"
        rm -rf --one-file-system "$dir"
      fi
    done
    say "debootstrap --variant=minbase $suite (first run on this machine, about a minute)"
    t0=$(date +%s)
    if ! debootstrap --variant=minbase "$suite" "$rootfs.partial" "$mirror" >"$rootfs.debootstrap.log" 2>&1; then
      tail -20 "$rootfs.debootstrap.log" >&2
      die "debootstrap $suite failed (log: $rootfs.debootstrap.log)"
    fi
    touch "$rootfs.partial/.crystal-db-test-complete"
    mv "$rootfs.partial" "$rootfs"
    say "root file system ready in $(( $(date +%s) - t0 )) s: $rootfs ($(du -sh "$rootfs" | cut -f1))"
  else
    say "reusing $rootfs"
  fi

  install_dir=$rootfs/opt/crystal-db
  data=/srv/crystal-db-test
  cleanup() {
    unmount_all_under "$rootfs"
    rm -rf "$install_dir" "$rootfs$data" "$rootfs/tmp/crystal-db-test"
    rm -f "$rootfs/usr/local/bin/crystal-db"
  }
  # what the chroot's /tmp and /dev/shm hold before crystal-db runs: it must add nothing there
  scratch_listing() { (cd "$rootfs" && find tmp dev/shm -mindepth 1 -not -path 'tmp/crystal-db-test*' 2>/dev/null | sort); }
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  cleanup

  # --- no Java in there ------------------------------------------------------------------------
  [ ! -e "$rootfs/usr/lib/jvm" ] || die "$rootfs/usr/lib/jvm exists: the test system must have no Java"
  if chroot "$rootfs" sh -c 'command -v java' >/dev/null 2>&1; then
    die "java is on the PATH of the test system: $(chroot "$rootfs" sh -c 'command -v java')"
  fi
  glibc=$(chroot "$rootfs" /usr/bin/ldd --version | awk 'NR == 1 { print $NF }')
  say "$suite: glibc $glibc, no java (command -v java fails, no /usr/lib/jvm)"

  # --- the executable alone: one file copied in ------------------------------------------------
  mkdir -p "$rootfs$data" "$rootfs/tmp/crystal-db-test"
  tar -xzf "$archive" -O "$(basename "$archive" .tar.gz)/crystal-db" >"$rootfs/usr/local/bin/crystal-db"
  chmod 755 "$rootfs/usr/local/bin/crystal-db"
  scratch_before=$(scratch_listing)
  # The chroot's / must be a mount point, as on any real machine (arch-chroot binds it the same way):
  # otherwise /proc/self/mounts has no entry for it and Java's Files.getFileStore fails ("Mount point
  # not found"), which the backup's free-space check uses.
  mount --bind "$rootfs" "$rootfs"
  mount -t proc proc "$rootfs/proc"

  # runs a command in the chroot with a clean environment; stdout/stderr kept in $out / $err
  out=$rootfs/tmp/crystal-db-test/stdout
  err=$rootfs/tmp/crystal-db-test/stderr
  in_chroot() {
    chroot "$rootfs" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/root "$@" >"$out" 2>"$err"
  }
  # expect CODE ARGS...: ARGS must exit CODE
  expect() {
    local want=$1 got=0 t0 t1
    shift
    t0=$(date +%s%N)
    in_chroot "$@" || got=$?
    t1=$(date +%s%N)
    if [ "$got" != "$want" ]; then
      echo "--- stdout" >&2; cat "$out" >&2; echo "--- stderr" >&2; cat "$err" >&2
      die "$suite: $* exited $got, expected $want"
    fi
    say "$suite: ok (exit $got, $(( (t1 - t0) / 1000000 )) ms): $*"
  }
  db=$data/app.db
  # the schema version recorded in a database file of the chroot, read by the host's sqlite3
  version_of() {
    sqlite3 "$rootfs$1" "SELECT version FROM flyway_schema_history WHERE success = 1 AND version IS NOT NULL
                         ORDER BY installed_rank DESC LIMIT 1"
  }

  # it needs glibc and nothing else: every library ldd names is glibc's
  expect 0 ldd /usr/local/bin/crystal-db
  if grep -q "not found" "$out"; then cat "$out" >&2; die "$suite: ldd finds a library missing"; fi
  foreign=$(grep '=>' "$out" | grep -vE 'lib(c|m|dl|pthread|rt)\.so\.[0-9]+ => ' || true)
  [ -z "$foreign" ] || die "$suite: libraries that are not glibc's: $foreign"
  [ "$(ls -A "$rootfs/usr/local/bin")" = crystal-db ] \
    || die "$suite: expected the executable alone in /usr/local/bin: $(ls -A "$rootfs/usr/local/bin")"

  expect 0 crystal-db --version
  grep -q "^crystal-db $version\$" "$out" || die "$suite: --version printed: $(cat "$out")"

  expect 0 crystal-db --db "$db" upgrade --create --yes
  [ "$(version_of "$db")" = 5 ] || die "$suite: after upgrade --create the database is at version '$(version_of "$db")', expected 5"
  say "$suite: database at version 5"

  expect 0 crystal-db --db "$db" status --check
  expect 0 crystal-db --db "$db" upgrade --yes

  expect 0 crystal-db --db "$db" backup
  set -- "$rootfs$data"/backups/app_*.db
  [ $# -eq 1 ] && [ -f "$1" ] || die "$suite: expected one backup in $data/backups after backup, found: $*"
  backup=$1
  [ "$(version_of "${backup#"$rootfs"}")" = 5 ] || die "$suite: the backup $backup is not at version 5"
  [ "$(sqlite3 "$backup" 'PRAGMA integrity_check')" = ok ] || die "$suite: the backup $backup fails integrity_check"
  grep -q "$(basename "$backup")" "$out" || die "$suite: backup did not print the name of $backup: $(cat "$out")"
  say "$suite: backup exists: ${backup#"$rootfs"} (version 5, integrity ok)"

  # change the database after the backup; rollback must bring back the backup's content
  sqlite3 "$rootfs$db" 'CREATE TABLE after_backup (x INTEGER)'
  expect 0 crystal-db --db "$db" rollback --latest --yes
  [ "$(version_of "$db")" = 5 ] || die "$suite: after rollback the database is at version '$(version_of "$db")', expected 5"
  [ -z "$(sqlite3 "$rootfs$db" "SELECT name FROM sqlite_master WHERE name = 'after_backup'")" ] \
    || die "$suite: after rollback the database still has the table created after the backup"
  set -- "$rootfs$data"/backups/app_*_emergency*.db
  [ -f "$1" ] || die "$suite: rollback left no emergency backup in $data/backups"
  [ -n "$(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE name = 'after_backup'")" ] \
    || die "$suite: the emergency backup $1 does not hold the pre-rollback state"
  say "$suite: rollback restored the backup (version 5, later change gone); emergency backup ${1#"$rootfs"} holds the replaced state"

  # the user's own migrations shipped with the released executable alone: bundle, then run the bundle
  mkdir -p "$rootfs$data/app-migrations"
  printf 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n' >"$rootfs$data/app-migrations/V1__notes.sql"
  printf 'DROP TABLE notes;\n' >"$rootfs$data/app-migrations/U1__notes.sql"
  printf 'ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;\n' >"$rootfs$data/app-migrations/V2__pinned.sql"
  expect 0 crystal-db --migrations "$data/app-migrations" bundle --name chroot-app -o "$data/app-db"
  # the copy carries the libraries as the original does: nothing to copy beside it, so no warning
  if grep -q '^crystal-db: warning' "$err"; then die "$suite: bundle warned: $(cat "$err")"; fi
  expect 0 "$data/app-db" --version
  grep -q '^migrations: bundled "chroot-app", head 2, 2 migrations' "$out" || die "$suite: the bundle's --version printed: $(cat "$out")"
  expect 0 "$data/app-db" --db "$data/notes.db" upgrade --create --yes
  [ "$(version_of "$data/notes.db")" = 2 ] || die "$suite: the bundle upgraded to version '$(version_of "$data/notes.db")', expected 2"
  [ "$(sqlite3 "$rootfs$data/notes.db" "SELECT count(*) FROM pragma_table_info('notes') WHERE name = 'pinned'")" = 1 ] \
    || die "$suite: the bundle's migrations did not make notes.pinned"
  size=$(stat -c %s "$rootfs$data/app-db")
  printf 'X' | dd of="$rootfs$data/app-db" bs=1 seek=$((size - 3)) conv=notrunc status=none
  expect 4 "$data/app-db" --db "$data/notes.db" status
  grep -q 'is damaged' "$err" || die "$suite: a damaged bundle said: $(cat "$err")"
  say "$suite: bundle: the released executable bundled a set, the bundle upgraded a new database to 2, a damaged trailer is exit 4"

  [ "$(scratch_listing)" = "$scratch_before" ] || die "$suite: crystal-db left files in /tmp or /dev/shm: $(scratch_listing)"
  say "$suite: the executable alone and its bundle passed; nothing written to /tmp or /dev/shm"

  # --- the archive, installed as the README says -----------------------------------------------
  rm -f "$rootfs/usr/local/bin/crystal-db"
  mkdir -p "$install_dir"
  tar -xzf "$archive" -C "$install_dir" --strip-components=1
  ln -s /opt/crystal-db/crystal-db "$rootfs/usr/local/bin/crystal-db"
  [ ! -e "$install_dir/lib" ] || die "the archive has a lib/ directory: $(ls "$install_dir/lib")"
  # the ops files and the licence of the JDK libraries ship with it, and the bash completion loads
  for f in share/systemd/crystalbudget.service share/systemd/crystal-db-backup.timer share/cron/crystal-db-backup \
           share/man/man1/crystal-db.1 share/man/man1/crystal-db-upgrade.1 share/bash-completion/crystal-db \
           share/licenses/openjdk/LICENSE share/licenses/openjdk/ASSEMBLY_EXCEPTION; do
    [ -s "$install_dir/$f" ] || die "the archive has no $f"
  done
  expect 0 bash -c '. /opt/crystal-db/share/bash-completion/crystal-db && complete -p crystal-db'
  grep -q crystal-db "$out" || die "$suite: the bash completion registered nothing for crystal-db: $(cat "$out")"
  expect 0 crystal-db --version
  grep -q "^crystal-db $version\$" "$out" || die "$suite: --version printed: $(cat "$out")"
  expect 0 crystal-db --db "$db" status --check
  say "$suite: passed (glibc $glibc)"
}

for suite in "${suites[@]}"; do
  ( test_on "$suite" )
done
say "PASSED in $(( $(date +%s) - started )) s ($(basename "$archive") on ${suites[*]}, debootstrap minbase without Java)"
