#!/usr/bin/env bash
# neo4j-server.sh: the real Neo4j that drift's tests run against, without Docker.
#
# An embedded Neo4j Community DBMS (server/, a tiny Java launcher) with Bolt on a free loopback
# port, authentication off and its store in a temporary directory. The server lives as long as
# its standard input stays open: `start` keeps a writer on a fifo, `stop` ends the writer and the
# server shuts down and deletes its store. A forgotten server stops by itself after
# DRIFT_NEO4J_MAX_SECONDS (default 5400, CI's whole budget).
#
#   neo4j-server.sh build            resolve Neo4j's classpath with Maven (only when pom.xml changed;
#                                    jars are cached in ~/.m2) and compile the launcher, into
#                                    $DRIFT_NEO4J_BUILD_DIR (default ~/.cache/drift-neo4j-test-server)
#   neo4j-server.sh start DIR        start one server, state in DIR; prints
#                                    `export DRIFT_TEST_NEO4J_URI=bolt://127.0.0.1:PORT`
#   neo4j-server.sh stop DIR         stop that server and remove DIR
#   neo4j-server.sh run CMD [ARG..]  start, run CMD with DRIFT_TEST_NEO4J_URI exported, stop;
#                                    exits with CMD's status
#
# Needs java (17+) and mvn on PATH. Progress goes to stderr; stdout carries only the export line.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
server=$here/server
# Build output lives outside the work tree, so a fresh clone on the same machine starts warm.
target=${DRIFT_NEO4J_BUILD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/drift-neo4j-test-server}
max_seconds=${DRIFT_NEO4J_MAX_SECONDS:-5400}
java_opts=${DRIFT_NEO4J_JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseSerialGC}
main_class=dev.drift.neo4jtest.TestServer
source_file=$server/src/main/java/dev/drift/neo4jtest/TestServer.java

log() { echo "neo4j-server: $*" >&2; }

build() {
	mkdir -p "$target/classes"
	local cp_file=$target/classpath.txt
	local pom_sum src_sum
	pom_sum=$(sha256sum <"$server/pom.xml")
	src_sum=$(sha256sum <"$source_file")
	local stale=0
	if [[ ! -s $cp_file || $(cat "$target/pom.sum" 2>/dev/null) != "$pom_sum" ]]; then
		stale=1
	else
		# ~/.m2 may have been cleaned since: check that every jar is still there.
		local jar
		while IFS= read -r jar; do
			[[ -f $jar ]] || { stale=1; break; }
		done < <(tr ':' '\n' <"$cp_file")
	fi
	if ((stale)); then
		log "resolving Neo4j with Maven (cached in ~/.m2 after the first run)"
		local t0=$SECONDS
		# mvn -q still prints terminal escapes; keep its output for when it fails.
		if ! mvn -q -B -Dstyle.color=never -f "$server/pom.xml" dependency:build-classpath \
			-Dmdep.outputFile="$cp_file.tmp" >"$target/mvn.log" 2>&1; then
			cat "$target/mvn.log" >&2
			log "resolving Neo4j with Maven failed"
			return 1
		fi
		mv "$cp_file.tmp" "$cp_file"
		echo "$pom_sum" >"$target/pom.sum"
		rm -f "$target/src.sum"
		log "classpath resolved in $((SECONDS - t0))s"
	fi
	if [[ $(cat "$target/src.sum" 2>/dev/null) != "$src_sum" ]]; then
		rm -rf "$target/classes"
		mkdir -p "$target/classes"
		javac -d "$target/classes" -cp "$(cat "$cp_file")" "$source_file" >&2
		echo "$src_sum" >"$target/src.sum"
	fi
}

start() {
	local dir=$1
	build
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [[ -f $dir/java.pid ]] && kill -0 "$(cat "$dir/java.pid")" 2>/dev/null; then
		log "a server is already running from $dir"
		return 1
	fi
	rm -f "$dir/stdin" "$dir/server.log" "$dir/uri"
	mkfifo "$dir/stdin"
	: >"$dir/server.log"
	local t0=$SECONDS
	# The server reads the fifo; the sleeping writer keeps it open. Neither holds this script's
	# stdout, so `eval "$(neo4j-server.sh start DIR)"` returns as soon as the server is ready.
	# shellcheck disable=SC2086
	java $java_opts -cp "$target/classes:$(cat "$target/classpath.txt")" "$main_class" 0 \
		>"$dir/server.log" 2>&1 <"$dir/stdin" &
	echo $! >"$dir/java.pid"
	sleep "$max_seconds" >"$dir/stdin" 2>/dev/null </dev/null &
	echo $! >"$dir/writer.pid"
	local uri=""
	while ((SECONDS - t0 < 180)); do
		uri=$(sed -n 's/^NEO4J_READY \([^ ]*\).*/\1/p' "$dir/server.log" | head -n 1)
		[[ -n $uri ]] && break
		if ! kill -0 "$(cat "$dir/java.pid")" 2>/dev/null; then
			log "the server exited before it was ready; its log:"
			cat "$dir/server.log" >&2
			stop "$dir"
			return 1
		fi
		sleep 0.2
	done
	if [[ -z $uri ]]; then
		log "the server was not ready after 180s; its log:"
		tail -n 50 "$dir/server.log" >&2
		stop "$dir"
		return 1
	fi
	echo "$uri" >"$dir/uri"
	log "Neo4j ready at $uri in $((SECONDS - t0))s (state in $dir)"
	echo "export DRIFT_TEST_NEO4J_URI=$uri"
}

stop() {
	local dir=$1
	[[ -d $dir ]] || return 0
	if [[ -f $dir/writer.pid ]]; then
		kill "$(cat "$dir/writer.pid")" 2>/dev/null || true
	fi
	local t0=$SECONDS
	if [[ -f $dir/java.pid ]]; then
		local pid i
		pid=$(cat "$dir/java.pid")
		for ((i = 0; i < 300; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "the server did not stop within 60s of its stdin closing; terminating it"
			kill "$pid" 2>/dev/null || true
		fi
	fi
	if [[ -f $dir/server.log ]]; then
		# The server deletes its store itself; make sure of it if it was killed.
		local home
		home=$(sed -n 's/^NEO4J_HOME //p' "$dir/server.log" | head -n 1)
		if [[ $home == */drift-neo4j-* && -d $home ]]; then
			rm -rf "$home"
		fi
	fi
	rm -rf "$dir"
	log "stopped in $((SECONDS - t0))s"
}

run() {
	run_dir=$(mktemp -d "${TMPDIR:-/tmp}/drift-neo4j-run.XXXXXX")
	trap 'stop "$run_dir"' EXIT
	local line
	line=$(start "$run_dir")
	export DRIFT_TEST_NEO4J_URI=${line#export DRIFT_TEST_NEO4J_URI=}
	local rc=0
	"$@" || rc=$?
	return "$rc"
}

case ${1:-} in
build) build ;;
start) start "${2:?usage: $0 start DIR}" ;;
stop) stop "${2:?usage: $0 stop DIR}" ;;
run)
	shift
	[[ $# -gt 0 ]] || { echo "usage: $0 run CMD [ARG...]" >&2; exit 2; }
	run "$@"
	;;
*)
	echo "usage: $0 build | start DIR | stop DIR | run CMD [ARG...]" >&2
	exit 2
	;;
esac
