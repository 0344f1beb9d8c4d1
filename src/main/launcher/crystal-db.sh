#!/bin/sh
# crystal-db launcher (JVM mode): starts the Quarkus application built beside this file.
# JAVA_HOME wins over the java on PATH; CRYSTAL_DB_JAVA_OPTS adds JVM options (after ours, so it
# can override them). `crystal-db bundle` writes a copy of this script with the app= line set to
# the application's absolute path and a migration set appended after the last line, which sh never
# reads (exec replaces it first); the application finds the set through -Dcrystal.db.launcher.
self=$(readlink -f "$0") || exit 1
app=${self%/*}/quarkus-app
java_cmd=java
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && java_cmd="$JAVA_HOME/bin/java"

set -- -jar "$app/quarkus-run.jar" "$@"
# shellcheck disable=SC2086 # word splitting of the options is intended (not globbing: set -f)
set -f
[ -n "${CRYSTAL_DB_JAVA_OPTS:-}" ] && set -- $CRYSTAL_DB_JAVA_OPTS "$@"
set +f
# SQLite's JNI library, unpacked by the build for this machine: loaded from there rather than
# unpacked from its jar into a temporary directory on every run (about 60 ms)
[ -f "$app/native/libsqlitejdbc.so" ] \
  && set -- "-Dorg.sqlite.lib.path=$app/native" -Dorg.sqlite.lib.name=libsqlitejdbc.so "$@"

exec "$java_cmd" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss1m -XX:-UsePerfData \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager "-Dcrystal.db.launcher=$self" "-Dcrystal.db.app=$app" "$@"
exit 127
