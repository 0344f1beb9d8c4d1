#!/bin/sh
# crystal-db launcher (JVM mode): starts the Quarkus application built beside this file.
# JAVA_HOME wins over the java on PATH; CRYSTAL_DB_JAVA_OPTS adds JVM options (after ours, so it
# can override them).
here=$(readlink -f "$0") && here=${here%/*}
java_cmd=java
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && java_cmd="$JAVA_HOME/bin/java"

set -- -jar "$here/quarkus-app/quarkus-run.jar" "$@"
# shellcheck disable=SC2086 # word splitting of the options is intended (not globbing: set -f)
set -f
[ -n "${CRYSTAL_DB_JAVA_OPTS:-}" ] && set -- $CRYSTAL_DB_JAVA_OPTS "$@"
set +f
# SQLite's JNI library, unpacked by the build for this machine: loaded from there rather than
# unpacked from its jar into a temporary directory on every run (about 60 ms)
[ -f "$here/quarkus-app/native/libsqlitejdbc.so" ] \
  && set -- "-Dorg.sqlite.lib.path=$here/quarkus-app/native" -Dorg.sqlite.lib.name=libsqlitejdbc.so "$@"

exec "$java_cmd" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss1m -XX:-UsePerfData \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager "$@"
