//go:build !linux

package main

import "os"

// peakRSSKiB is unknown off Linux: ru_maxrss has other units elsewhere (bytes on macOS), and
// the benchmark's figures are defined on Linux.
func peakRSSKiB(*os.ProcessState) int64 { return -1 }
