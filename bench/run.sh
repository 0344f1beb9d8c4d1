#!/usr/bin/env bash
# crystal-db benchmark harness: crystal-db against dbmate, Alembic, the sqlite3 CLI and cp.
# Not part of `./mvnw verify`. See bench/README.md.
#
#   bench/run.sh            full run: 1 GiB + 100 MiB databases, median of 5 runs (~10 min)
#   bench/run.sh --quick    100 MiB + 50 MiB databases, median of 3 runs (~2-3 min)
#   bench/run.sh --runs N   override the number of runs per measurement
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
PEERS=$BENCH/.peers
DATA=$BENCH/.data
WORK=$DATA/work
LOGS=$DATA/logs

QUICK=0
RUNS=
MIGRATIONS=700
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --runs) RUNS=${2:?--runs needs a number}; shift ;;
    --runs=*) RUNS=${1#--runs=} ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then BIG_MIB=100; SMALL_MIB=50; RUNS=${RUNS:-3}; MODE=quick
else BIG_MIB=1024; SMALL_MIB=100; RUNS=${RUNS:-5}; MODE=full; fi
case "$RUNS" in ''|*[!0-9]*|0) echo "run.sh: --runs must be a positive number" >&2; exit 2 ;; esac

START_NS=$(date +%s%N)
say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }
human() { awk -v b="$1" 'BEGIN { m = b / 1048576; if (m >= 1000) printf "%.1f GiB", m / 1024; else printf "%.0f MiB", m }'; }

# ---------------------------------------------------------------------------------------------
# 1. crystal-db itself: the native executable and the JVM build, side by side
# ---------------------------------------------------------------------------------------------
# The native executable comes from the archive (./mvnw package -Pdist), else from target/ when the last
# build there was native (-Dnative). It is one file (its libraries are inside it): only that file is copied,
# into bench/.data/native, out of the way of the JVM build.
mkdir -p "$DATA"
NATIVE_EXE=
archives=("$ROOT"/target/crystal-db-*-linux-*.tar.gz)
rm -rf "$DATA/native"
if [ -f "${archives[0]}" ]; then
  mkdir -p "$DATA/native"
  tar -xzf "${archives[0]}" -O "$(basename "${archives[0]}" .tar.gz)/crystal-db" >"$DATA/native/crystal-db"
  chmod 755 "$DATA/native/crystal-db"
  NATIVE_FROM="$(basename "${archives[0]}"), its crystal-db alone"
elif [ -x "$ROOT/target/crystal-db" ] && [ "$(head -c 2 "$ROOT/target/crystal-db")" != "#!" ]; then
  mkdir -p "$DATA/native"
  cp "$ROOT/target/crystal-db" "$DATA/native/"
  NATIVE_FROM="target/crystal-db (-Dnative)"
fi
[ -d "$DATA/native" ] && NATIVE_EXE=$DATA/native/crystal-db
# the JVM build: target/crystal-db as the launcher script
CDB=$ROOT/target/crystal-db
if [ ! -x "$CDB" ] || [ "$(head -c 2 "$CDB")" != "#!" ] || [ ! -f "$ROOT/target/quarkus-app/quarkus-run.jar" ]; then
  say "building crystal-db for the JVM (./mvnw -B -q package -DskipTests)"
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
fi
[ -x "$CDB" ] || die "target/crystal-db was not built"
[ -n "$NATIVE_EXE" ] || say "no native executable (build it: ./mvnw -B -q package -Pdist -DskipTests); measuring the JVM build only"

# ---------------------------------------------------------------------------------------------
# 2. peers: sqlite3, Debian's python3-alembic, GNU time (Debian), dbmate (npm, static Go binary)
# ---------------------------------------------------------------------------------------------
SUDO=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null && SUDO=sudo || SUDO=missing
fi
APT_UPDATED=0
apt_install() {
  [ "$SUDO" = missing ] && die "need root (or sudo) to apt-get install $*"
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    $SUDO apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
PY=/usr/bin/python3   # Debian's interpreter: python3-alembic lives there, not in a pyenv/venv one
command -v sqlite3 >/dev/null || apt_install sqlite3
[ -x /usr/bin/time ] || apt_install time
{ [ -x "$PY" ] && "$PY" -c 'import alembic, sqlalchemy' 2>/dev/null; } || apt_install python3-alembic
find_dbmate() {
  # the static Go binary itself, never the node wrapper while that binary is there (also right after npm install)
  DBMATE=$PEERS/node_modules/@dbmate/linux-x64/bin/dbmate
  [ -x "$DBMATE" ] && return 0
  # other architectures ship as @dbmate/linux-<arch>; the .bin entry is a node wrapper, last resort
  DBMATE=$(find "$PEERS/node_modules/@dbmate" -path '*/bin/dbmate' -type f 2>/dev/null | head -n1)
  [ -n "$DBMATE" ] && [ -x "$DBMATE" ] && return 0
  DBMATE=$PEERS/node_modules/.bin/dbmate
  [ -x "$DBMATE" ]
}
if ! find_dbmate; then
  command -v npm >/dev/null || apt_install npm
  say "npm install --prefix bench/.peers dbmate"
  mkdir -p "$PEERS"
  npm install --prefix "$PEERS" --no-audit --no-fund --loglevel=error dbmate >/dev/null
  find_dbmate || die "dbmate binary not found under $PEERS/node_modules"
fi

SQLITE_VERSION=$(sqlite3 --version | cut -d' ' -f1)
DBMATE_VERSION=$("$DBMATE" --version | awk '{print $NF}')
ALEMBIC_VERSION=$("$PY" -m alembic --version | awk '{print $NF}')
CDB_VERSION=$("$CDB" --version 2>&1 | head -n1 || true)
[ -z "$NATIVE_EXE" ] || say "native: $NATIVE_FROM ($("$NATIVE_EXE" --version 2>&1 | head -n1))"
JAVA_VERSION=$(java -version 2>&1 | head -n1)

# ---------------------------------------------------------------------------------------------
# 3. data: migrations in three layouts, an Alembic env, two WAL databases (cached in bench/.data)
# ---------------------------------------------------------------------------------------------
mkdir -p "$DATA" "$LOGS"
rm -rf "$WORK"; mkdir -p "$WORK"

MIG=$DATA/migrations-$MIGRATIONS-v2
if [ ! -f "$MIG/.complete" ]; then
  say "writing $MIGRATIONS migrations (crystal-db, dbmate and combined sqlite3 layouts)"
  rm -rf "$MIG"
  mkdir -p "$MIG/crystal-db" "$MIG/dbmate/db/migrations" "$MIG/dbmate-5/db/migrations"
  {
    echo "-- $MIGRATIONS migrations in one transaction, for: sqlite3 new.db < combined.sql"
    echo "BEGIN;"
  } > "$MIG/combined.sql"
  for ((n = 1; n <= MIGRATIONS; n++)); do
    up="CREATE TABLE t_$n (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount INTEGER NOT NULL DEFAULT 0, created_at TEXT);
CREATE INDEX t_${n}_name ON t_$n (name);"
    down="DROP INDEX t_${n}_name;
DROP TABLE t_$n;"
    if [ "$n" -gt 1 ]; then
      up="$up
ALTER TABLE t_$((n - 1)) ADD COLUMN note_$n TEXT;"
      down="ALTER TABLE t_$((n - 1)) DROP COLUMN note_$n;
$down"
    fi
    up="$up
INSERT INTO t_$n (name, amount, created_at) VALUES ('alpha $n', $n, '2025-01-01'), ('beta $n', $((n * 2)), '2025-01-02'), ('gamma $n', $((n * 3)), NULL);"
    printf -- '-- step %d\n%s\n' "$n" "$up" > "$MIG/crystal-db/V${n}__step_$n.sql"
    printf -- '-- undo step %d\n%s\n' "$n" "$down" > "$MIG/crystal-db/U${n}__step_$n.sql"
    printf -v dm -- '-- migrate:up\n%s\n\n-- migrate:down\n%s' "$up" "$down"
    printf -v name '%04d_step_%d.sql' "$n" "$n"
    printf '%s\n' "$dm" > "$MIG/dbmate/db/migrations/$name"
    [ "$n" -le 5 ] && printf '%s\n' "$dm" > "$MIG/dbmate-5/db/migrations/$name"
    printf -- '-- step %d\n%s\n' "$n" "$up" >> "$MIG/combined.sql"
  done
  echo "COMMIT;" >> "$MIG/combined.sql"
  touch "$MIG/.complete"
fi

ALEMBIC=$DATA/alembic
if [ ! -f "$ALEMBIC/.complete" ]; then
  say "writing a minimal Alembic env with one revision"
  rm -rf "$ALEMBIC"; mkdir -p "$ALEMBIC/env/versions"
  cat > "$ALEMBIC/alembic.ini" <<'EOF'
[alembic]
script_location = %(here)s/env
# sqlalchemy.url is set per database with: -x db=PATH (see env.py)
EOF
  cat > "$ALEMBIC/env/env.py" <<'EOF'
# Minimal Alembic environment: no logging config, no model metadata, one SQLite file.
from alembic import context
from sqlalchemy import create_engine, pool

db = context.get_x_argument(as_dictionary=True)["db"]
engine = create_engine("sqlite:///" + db, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
EOF
  cat > "$ALEMBIC/env/script.py.mako" <<'EOF'
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None
from alembic import op
import sqlalchemy as sa
def upgrade():
    pass
def downgrade():
    pass
EOF
  cat > "$ALEMBIC/env/versions/0001_initial.py" <<'EOF'
"""initial"""
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
    )
    op.create_index("users_name", "users", ["name"])


def downgrade():
    op.drop_index("users_name", table_name="users")
    op.drop_table("users")
EOF
  touch "$ALEMBIC/.complete"
fi

# A WAL database of about $1 MiB: 3 rows of ~1.3 KB per 4 KiB page plus an index on a text key.
make_db() {
  local mib=$1 file=$DATA/items-${1}M.db rows
  if [ ! -f "$file" ]; then
    rows=$((mib * 745))
    say "generating $file (~$mib MiB, $rows rows)"
    rm -f "$file.tmp" "$file.tmp-wal" "$file.tmp-shm"
    sqlite3 "$file.tmp" <<EOF >/dev/null
PRAGMA page_size = 4096;
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE items (id INTEGER PRIMARY KEY, k TEXT NOT NULL, created INTEGER NOT NULL, payload BLOB NOT NULL);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $rows)
INSERT INTO items SELECT x, hex(randomblob(8)), 1700000000 + x * 7, randomblob(1300) FROM c;
CREATE INDEX items_k ON items (k);
PRAGMA journal_mode = WAL;
EOF
    [ "$(sqlite3 "$file.tmp" 'PRAGMA journal_mode')" = wal ] || die "$file is not in WAL mode"
    mv "$file.tmp" "$file"
  fi
  echo "$file"
}
BIG=$(make_db "$BIG_MIB")
SMALL=$(make_db "$SMALL_MIB")
BIG_SIZE=$(stat -c %s "$BIG"); SMALL_SIZE=$(stat -c %s "$SMALL")
BIG_H=$(human "$BIG_SIZE"); SMALL_H=$(human "$SMALL_SIZE")

# ---------------------------------------------------------------------------------------------
# 4. measuring: wall time of a run (one or more processes) and the peak RSS of its processes
# ---------------------------------------------------------------------------------------------
LOG=$LOGS/run-$(date +%Y%m%d-%H%M%S).log
: > "$LOG"
RSS_LOG=$WORK/.rss
TIME_OUT=$WORK/.time
declare -A MED RSS   # key "scenario|tool" -> median seconds, median of per-run peak RSS (KiB)

# t CMD...: run one timed process, record its peak RSS (KiB) for the current run
t() {
  local rc=0
  /usr/bin/time -f %M -o "$TIME_OUT" "$@" || rc=$?
  tail -n1 "$TIME_OUT" >> "$RSS_LOG"
  return $rc
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
noop() { :; }

# measure SCENARIO TOOL PREP_FN RUN_FN: PREP_FN runs untimed before every run
measure() {
  local scen=$1 tool=$2 prep=$3 run=$4 i t0 t1 secs=() rsss=()
  for ((i = 1; i <= RUNS; i++)); do
    $prep
    : > "$RSS_LOG"
    echo "=== $scen | $tool | run $i" >> "$LOG"
    t0=$(date +%s%N)
    if ! $run >> "$LOG" 2>&1; then
      tail -n 15 "$LOG" >&2
      die "$scen / $tool failed on run $i (log: $LOG)"
    fi
    t1=$(date +%s%N)
    secs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')")
    rsss+=("$(sort -g "$RSS_LOG" | tail -n1)")
  done
  MED["$scen|$tool"]=$(printf '%s\n' "${secs[@]}" | median)
  RSS["$scen|$tool"]=$(printf '%s\n' "${rsss[@]}" | median)
  local line
  line=$(printf '%-28s %-34s %8.3f s  %6.0f MiB   runs: %s' "$scen" "$tool" "${MED["$scen|$tool"]}" \
    "$(awk -v k="${RSS["$scen|$tool"]}" 'BEGIN { print k / 1024 }')" "${secs[*]}")
  say "$line"
  echo "=== result: $line" >> "$LOG"
}

dbmate() { t "$DBMATE" --url "sqlite:$1" -d "$2" --no-dump-schema up; }

# --- no-op upgrade on an up-to-date database ---------------------------------------------------
S1="no-op upgrade"
N=$WORK/noop; mkdir -p "$N"
"$CDB" --db "$N/cdb.db" upgrade --create --yes --no-backup >> "$LOG" 2>&1
"$DBMATE" --url "sqlite:$N/dbmate.db" -d "$MIG/dbmate-5/db/migrations" --no-dump-schema up >> "$LOG" 2>&1
"$PY" -m alembic -c "$ALEMBIC/alembic.ini" -x db="$N/alembic.db" upgrade head >> "$LOG" 2>&1
say "scenario: $S1 (crystal-db: bundled set; dbmate: 5 migrations; Alembic: 1 revision)"
run_noop_dbmate() { dbmate "$N/dbmate.db" "$MIG/dbmate-5/db/migrations"; }
run_noop_alembic() { t "$PY" -m alembic -c "$ALEMBIC/alembic.ini" -x db="$N/alembic.db" upgrade head; }
run_noop_cdb() { t "$CDB" --db "$N/cdb.db" upgrade --yes; }
measure "$S1" "dbmate up" noop run_noop_dbmate
measure "$S1" "alembic upgrade head" noop run_noop_alembic
measure "$S1" "crystal-db upgrade" noop run_noop_cdb
run_noop_native() { t "$NATIVE_EXE" --db "$N/cdb.db" upgrade --yes; }
[ -z "$NATIVE_EXE" ] || measure "$S1" "crystal-db upgrade (native)" noop run_noop_native
# what a user ships: the native executable with their set appended by `bundle` (here the same files as the
# built-in set, so the database is at head for it too); it reads and checks the set from its own file
BUNDLED_EXE=
if [ -n "$NATIVE_EXE" ]; then
  BUNDLED_EXE=$DATA/native/crystal-db-bundled
  "$NATIVE_EXE" bundle --migrations "$ROOT/migrations" --name example -o "$BUNDLED_EXE" >> "$LOG" 2>&1 \
    || die "crystal-db bundle failed (log: $LOG)"
  run_noop_bundled() { t "$BUNDLED_EXE" --db "$N/cdb.db" upgrade --yes; }
  measure "$S1" "crystal-db upgrade (native, bundle)" noop run_noop_bundled
fi

# --- no-op upgrade with 700 applied migrations (how the check of the history scales) ----------
S2="no-op upgrade, $MIGRATIONS applied"
"$CDB" --db "$N/cdb-$MIGRATIONS.db" --migrations "$MIG/crystal-db" upgrade --create --yes --no-backup >> "$LOG" 2>&1
"$DBMATE" --url "sqlite:$N/dbmate-$MIGRATIONS.db" -d "$MIG/dbmate/db/migrations" --no-dump-schema up >> "$LOG" 2>&1
say "scenario: $S2"
run_noop700_dbmate() { dbmate "$N/dbmate-$MIGRATIONS.db" "$MIG/dbmate/db/migrations"; }
run_noop700_cdb() { t "$CDB" --db "$N/cdb-$MIGRATIONS.db" --migrations "$MIG/crystal-db" upgrade --yes; }
measure "$S2" "dbmate up" noop run_noop700_dbmate
measure "$S2" "crystal-db upgrade" noop run_noop700_cdb

# --- 700 migrations applied to an empty database -----------------------------------------------
S3="$MIGRATIONS migrations, empty db"
M=$WORK/apply; mkdir -p "$M"
say "scenario: $S3"
prep_apply() { rm -f "$M"/new.db "$M"/new.db-* "$M"/new.db.crystal-db.lock; }
run_apply_dbmate() { dbmate "$M/new.db" "$MIG/dbmate/db/migrations"; }
run_apply_sqlite() { t sqlite3 -bail "$M/new.db" < "$MIG/combined.sql"; }
run_apply_cdb() { t "$CDB" --db "$M/new.db" --migrations "$MIG/crystal-db" upgrade --create --yes --no-backup; }
check_applied() {
  [ "$(sqlite3 "$M/new.db" "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name LIKE 't\_%' ESCAPE '\\'")" = "$MIGRATIONS" ] \
    || die "$S3: $1 did not create $MIGRATIONS tables"
}
measure "$S3" "dbmate up" prep_apply run_apply_dbmate; check_applied dbmate
measure "$S3" "sqlite3 < combined.sql" prep_apply run_apply_sqlite; check_applied sqlite3
measure "$S3" "crystal-db upgrade" prep_apply run_apply_cdb; check_applied crystal-db
run_apply_native() { t "$NATIVE_EXE" --db "$M/new.db" --migrations "$MIG/crystal-db" upgrade --create --yes --no-backup; }
if [ -n "$NATIVE_EXE" ]; then measure "$S3" "crystal-db upgrade (native)" prep_apply run_apply_native; check_applied native; fi
prep_apply

# --- backup of the big database ---------------------------------------------------------------
S4="backup $BIG_H"
B=$WORK/backup
say "scenario: $S4"
prep_backup() { rm -rf "$B"; mkdir -p "$B"; sync; }
run_backup_sqlite() {
  t sqlite3 "$BIG" ".backup '$B/out.db'" &&
  t sqlite3 "$B/out.db" "PRAGMA quick_check" > "$B/check" && [ "$(cat "$B/check")" = ok ]
}
run_backup_cp() { t cp "$BIG" "$B/out.db"; }
run_backup_cdb() { t "$CDB" --db "$BIG" backup --backup-dir "$B"; }
measure "$S4" "sqlite3 .backup + quick_check" prep_backup run_backup_sqlite
measure "$S4" "cp" prep_backup run_backup_cp
measure "$S4" "crystal-db backup" prep_backup run_backup_cdb
run_backup_native() { t "$NATIVE_EXE" --db "$BIG" backup --backup-dir "$B"; }
[ -z "$NATIVE_EXE" ] || measure "$S4" "crystal-db backup (native)" prep_backup run_backup_native
prep_backup; rm -rf "$B"

# --- rollback (restore the newest backup) of the big database ----------------------------------
S5="rollback $BIG_H"
R=$WORK/rollback; mkdir -p "$R/backups"
say "scenario: $S5 (preparing a copy of the database and one backup of it)"
cp "$BIG" "$R/live.db"
"$CDB" --db "$R/live.db" backup --backup-dir "$R/backups" >> "$LOG" 2>&1
RB_FILE=$(ls "$R/backups"/*.db | head -n1)
prep_rollback() { rm -f "$R"/backups/*_emergency*; rm -f "$R/cp.db"; sync; }
run_rollback_cp() { t cp "$RB_FILE" "$R/cp.db"; }
# a copy that is on disk when it returns, as the restored database is (GNU sync FILE: fsync of that file)
run_rollback_cp_sync() { t sh -c 'cp "$1" "$2" && sync "$2"' cp-sync "$RB_FILE" "$R/cp.db"; }
run_rollback_cdb() { t "$CDB" --db "$R/live.db" --backup-dir "$R/backups" rollback --latest --yes; }
measure "$S5" "cp" prep_rollback run_rollback_cp
measure "$S5" "cp + sync" prep_rollback run_rollback_cp_sync
measure "$S5" "crystal-db rollback --latest" prep_rollback run_rollback_cdb
run_rollback_native() { t "$NATIVE_EXE" --db "$R/live.db" --backup-dir "$R/backups" rollback --latest --yes; }
[ -z "$NATIVE_EXE" ] || measure "$S5" "crystal-db rollback (native)" prep_rollback run_rollback_native
ROLLBACK_MODE=$(sqlite3 "$R/live.db" 'PRAGMA journal_mode')
rm -rf "$R"

# --- schema work over the 700 migrations: stamp --detect and lint --round-trip ----------------
S7="stamp --detect, $MIGRATIONS versions"
D=$WORK/detect; mkdir -p "$D"
say "scenario: $S7"
prep_detect() { rm -f "$D"/plain.db*; sqlite3 -bail "$D/plain.db" < "$MIG/combined.sql"; }
run_detect_cdb() { t "$CDB" --db "$D/plain.db" --migrations "$MIG/crystal-db" stamp --detect --yes; }
check_detected() {
  [ "$(sqlite3 "$D/plain.db" "SELECT max(CAST(version AS INTEGER)) FROM flyway_schema_history")" = "$MIGRATIONS" ] \
    || die "$S7: $1 did not detect version $MIGRATIONS"
}
measure "$S7" "crystal-db stamp --detect" prep_detect run_detect_cdb; check_detected crystal-db
run_detect_native() { t "$NATIVE_EXE" --db "$D/plain.db" --migrations "$MIG/crystal-db" stamp --detect --yes; }
if [ -n "$NATIVE_EXE" ]; then measure "$S7" "crystal-db stamp --detect (native)" prep_detect run_detect_native; check_detected native; fi
rm -rf "$D"
S8="lint --round-trip, $MIGRATIONS"
say "scenario: $S8"
run_lint_cdb() { t "$CDB" --migrations "$MIG/crystal-db" lint --round-trip; }
measure "$S8" "crystal-db lint --round-trip" noop run_lint_cdb
run_lint_native() { t "$NATIVE_EXE" --migrations "$MIG/crystal-db" lint --round-trip; }
[ -z "$NATIVE_EXE" ] || measure "$S8" "crystal-db lint --round-trip (native)" noop run_lint_native

# --- peak memory of crystal-db backup: small vs big database ----------------------------------
S6="backup peak memory"
say "scenario: $S6 ($SMALL_H; the $BIG_H figures are those of '$S4')"
run_backup_small_cdb() { t "$CDB" --db "$SMALL" backup --backup-dir "$B"; }
measure "$S6" "crystal-db backup $SMALL_H" prep_backup run_backup_small_cdb
MED["$S6|crystal-db backup $BIG_H"]=${MED["$S4|crystal-db backup"]}
RSS["$S6|crystal-db backup $BIG_H"]=${RSS["$S4|crystal-db backup"]}
prep_backup; rm -rf "$B"

# ---------------------------------------------------------------------------------------------
# 5. the table
# ---------------------------------------------------------------------------------------------
# rows: scenario | tool | reference tool | target kind | target value | target text
ROWS=(
  "$S1|dbmate up|dbmate up|||"
  "$S1|alembic upgrade head|dbmate up|||"
  "$S1|crystal-db upgrade|dbmate up|||"
  ${NATIVE_EXE:+"$S1|crystal-db upgrade (native)|dbmate up|ratio|1.0|<= 1.0x dbmate"}
  ${NATIVE_EXE:+"$S1|crystal-db upgrade (native)|dbmate up|rss|2.0|peak memory <= 2x dbmate"}
  ${BUNDLED_EXE:+"$S1|crystal-db upgrade (native, bundle)|dbmate up|ratio|1.0|<= 1.0x dbmate"}
  ${BUNDLED_EXE:+"$S1|crystal-db upgrade (native, bundle)|dbmate up|rss|2.0|peak memory <= 2x dbmate"}
  "$S2|dbmate up|dbmate up|||"
  "$S2|crystal-db upgrade|dbmate up|||"
  "$S3|dbmate up|dbmate up|||"
  "$S3|sqlite3 < combined.sql|dbmate up|||"
  "$S3|crystal-db upgrade|dbmate up|ratio|2.0|<= 2x dbmate"
  ${NATIVE_EXE:+"$S3|crystal-db upgrade (native)|dbmate up|ratio|2.0|<= 2x dbmate"}
  "$S4|sqlite3 .backup + quick_check|sqlite3 .backup + quick_check|||"
  "$S4|cp|sqlite3 .backup + quick_check|||"
  "$S4|crystal-db backup|sqlite3 .backup + quick_check|ratio|1.3|<= 1.3x sqlite3 incl. check"
  ${NATIVE_EXE:+"$S4|crystal-db backup (native)|sqlite3 .backup + quick_check|ratio|1.3|<= 1.3x sqlite3 incl. check"}
  "$S5|cp|cp|||"
  "$S5|cp + sync|cp|||"
  "$S5|crystal-db rollback --latest|cp|ratio|1.3|<= 1.3x cp"
  ${NATIVE_EXE:+"$S5|crystal-db rollback (native)|cp|ratio|1.3|<= 1.3x cp"}
  "$S6|crystal-db backup $SMALL_H|crystal-db backup $SMALL_H|||"
  "$S6|crystal-db backup $BIG_H|crystal-db backup $SMALL_H|rss|1.10|same RSS as $SMALL_H (<= 1.10x)"
  "$S7|crystal-db stamp --detect|crystal-db stamp --detect|abs|10|seconds, not minutes (<= 10 s)"
  ${NATIVE_EXE:+"$S7|crystal-db stamp --detect (native)|crystal-db stamp --detect|abs|10|seconds, not minutes (<= 10 s)"}
  "$S8|crystal-db lint --round-trip|crystal-db lint --round-trip|abs|10|seconds, not minutes (<= 10 s)"
  ${NATIVE_EXE:+"$S8|crystal-db lint --round-trip (native)|crystal-db lint --round-trip|abs|10|seconds, not minutes (<= 10 s)"}
)
TOTAL_S=$(awk -v a="$START_NS" -v b="$(date +%s%N)" 'BEGIN { printf "%.0f", (b - a) / 1e9 }')
RESULTS=$BENCH/results.txt
{
  echo "crystal-db benchmark, $MODE mode, $(date -u '+%Y-%m-%d %H:%M UTC'), median of $RUNS runs, total ${TOTAL_S} s"
  echo "commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); $CDB_VERSION; JVM rows: target/crystal-db on $JAVA_VERSION; (native): ${NATIVE_FROM:-none}"
  echo "peers: dbmate $DBMATE_VERSION, alembic $ALEMBIC_VERSION, sqlite3 $SQLITE_VERSION; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "databases: $BIG_H and $SMALL_H, WAL mode; ratio = median / median of the scenario's reference (ref) row; RSS = median of per-run peak"
  echo
  printf '%-30s %-34s %9s %10s %9s  %s\n' scenario tool "median s" ratio "RSS MiB" "target (crystal-db)"
  printf '%-30s %-34s %9s %10s %9s  %s\n' "$(printf '%.0s-' {1..30})" "$(printf '%.0s-' {1..34})" \
    "---------" "----------" "---------" "-------------------"
  prev=
  for row in "${ROWS[@]}"; do
    IFS='|' read -r scen tool ref kind limit text <<< "$row"
    med=${MED["$scen|$tool"]}; rss=${RSS["$scen|$tool"]}
    refmed=${MED["$scen|$ref"]}; refrss=${RSS["$scen|$ref"]}
    if [ "$tool" = "$ref" ]; then ratio="ref"
    elif [ "$kind" = rss ]; then ratio=$(awk -v a="$rss" -v b="$refrss" 'BEGIN { printf "%.2fx RSS", a / b }')
    else ratio=$(awk -v a="$med" -v b="$refmed" 'BEGIN { printf "%.2fx", a / b }'); fi
    verdict=
    case "$kind" in
      abs) value=$med ;;
      ratio) value=$(awk -v a="$med" -v b="$refmed" 'BEGIN { print a / b }') ;;
      rss) value=$(awk -v a="$rss" -v b="$refrss" 'BEGIN { print a / b }') ;;
    esac
    if [ -n "$kind" ]; then
      verdict=$(awk -v v="$value" -v l="$limit" 'BEGIN { print (v <= l ? "met" : "MISSED") }')
      text="$text: $verdict"
    fi
    shown_scen=$scen; [ "$scen" = "$prev" ] && shown_scen=; prev=$scen
    printf '%-30s %-34s %9.3f %10s %9.0f  %s\n' "$shown_scen" "$tool" "$med" "$ratio" \
      "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$text"
  done
  echo
  echo "notes: crystal-db rollback also checks and fsyncs the copy it puts in place and keeps the replaced"
  echo "database as an emergency backup (cp does neither); crystal-db backup fsyncs its copy, cp does not. After the rollback the"
  echo "restored database's journal_mode was '$ROLLBACK_MODE' (the original was 'wal'). Log: ${LOG#"$ROOT"/}"
} > "$RESULTS"
echo
cat "$RESULTS"
rm -rf "$WORK"
