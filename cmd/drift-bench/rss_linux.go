package main

import (
	"os"
	"syscall"
)

// peakRSSKiB reads the child's peak RSS from the rusage wait4 returned: ru_maxrss, in KiB on
// Linux. It covers the child itself (and any children it waited for), not the server backend
// that served its queries.
func peakRSSKiB(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return -1
	}
	return ru.Maxrss
}
