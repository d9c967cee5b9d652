#!/usr/bin/env bash
# The build stage of docker/Dockerfile, as plain commands: the Dockerfile runs this script, and so can CI or a
# developer without a container engine. Run from the repository root:
#   bash docker/build-runtime.sh OUTPUT_DIR
# Writes OUTPUT_DIR/berth.jar and OUTPUT_DIR/java, a jlink'd runtime holding only the modules Berth needs.
# Needs a JDK 17 with jmods (JAVA_HOME, else the one `jlink` on the PATH belongs to). Extra Maven flags, such as
# -o, come from MAVEN_ARGS (passed on here: the Maven 3.8 of Debian 12 does not read it itself).
set -euo pipefail

out=${1:?usage: build-runtime.sh OUTPUT_DIR}
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")}

# -pl proxy -am: the image needs the server's jar only, not the benchmark harness.
# shellcheck disable=SC2086 # MAVEN_ARGS holds several flags; Maven before 3.9 does not read it itself
mvn -B -q ${MAVEN_ARGS:-} package -DskipTests -pl proxy -am
jar=proxy/target/berth.jar

# jdeps finds the modules the classes reference. It cannot see jdk.crypto.ec, the SunEC provider that JSSE loads
# by name: without it TLS 1.2 falls back to RSA key exchange (no forward secrecy) and EC certificates fail.
modules=$("$java_home/bin/jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps "$jar")
modules="$modules,jdk.crypto.ec"

rm -rf "$out/java"
mkdir -p "$out"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$out/java"
cp "$jar" "$out/berth.jar"
echo "runtime modules: $modules"
