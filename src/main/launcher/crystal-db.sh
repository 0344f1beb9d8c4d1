#!/bin/sh
# crystal-db launcher (JVM mode): starts the Quarkus application built beside this file.
# JAVA_HOME wins over the java on PATH; CRYSTAL_DB_JAVA_OPTS adds JVM options.
here=$(dirname "$(readlink -f "$0")")
java_cmd=java
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && java_cmd="$JAVA_HOME/bin/java"
set -f # CRYSTAL_DB_JAVA_OPTS is split into words, never expanded as file patterns
exec "$java_cmd" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss1m -XX:-UsePerfData \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  ${CRYSTAL_DB_JAVA_OPTS:-} -jar "$here/quarkus-app/quarkus-run.jar" "$@"
