package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// sample is one timed run of a tool.
type sample struct {
	wall       time.Duration
	cpu        time.Duration // the child's user + system CPU time: what wall time the client spent itself
	peakRSSKiB int64         // the child process's own peak resident set; -1 when the OS does not say
}

// measure runs argv to completion and reports its wall time and peak RSS. Standard output is
// discarded; standard error is kept only to explain a failure. An exit code in okCodes is not a
// failure.
func measure(ctx context.Context, argv []string, env []string, okCodes ...int) (sample, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	var stderr tailBuffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if errors.As(err, &exit) && slices.Contains(okCodes, exit.ExitCode()) {
		err = nil // drift diff exits 1 when it finds drift, which is what it is given
	}
	if err != nil {
		return sample{}, fmt.Errorf("running %s: %w: %s", argv[0], err, strings.TrimSpace(stderr.String()))
	}
	ps := cmd.ProcessState
	return sample{wall: wall, cpu: ps.UserTime() + ps.SystemTime(), peakRSSKiB: peakRSSKiB(ps)}, nil
}

// tailBuffer keeps the last few KiB written to it, so a chatty failing child cannot exhaust
// memory and its final error message is still there.
type tailBuffer struct{ b []byte }

const tailMax = 4 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > tailMax {
		t.b = append(t.b[:0], t.b[len(t.b)-tailMax:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }
