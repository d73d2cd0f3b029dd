# tests/proc-tree.sh: descendants PID, for the tests and the benchmarks that stop a server and every process it started (sourced).

# descendants PID: the pids of PID's children, their children, ...
descendants() {
	ps -eo pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2; pids[NR] = $1 }
		END {
			want[root] = 1
			do {
				more = 0
				for (i = 1; i <= NR; i++) {
					p = pids[i]
					if (!(p in want) && (parent[p] in want)) {
						want[p] = 1
						more = 1
					}
				}
			} while (more)
			for (p in want)
				if (p != root)
					print p
		}'
}
