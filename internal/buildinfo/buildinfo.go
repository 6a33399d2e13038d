// Package buildinfo says which build of drift is running: the version, commit and date `make
// build` stamped into cmd/drift, completed from what the Go toolchain recorded when a plain `go
// build` left them unset.
package buildinfo

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// Info is one build's identity.
type Info struct {
	Version, Commit, Date string
	// Go is the toolchain's version (go1.24.1).
	Go string
}

// Read returns the build's identity from the stamped values (version "dev" and empty commit
// and date when unstamped), falling back to what the toolchain embedded: the module version,
// the VCS revision (marked -dirty when the tree was modified) and its time.
func Read(version, commit, date string) Info {
	return fromBuild(version, commit, date, debug.ReadBuildInfo)
}

func fromBuild(version, commit, date string, read func() (*debug.BuildInfo, bool)) Info {
	v, c, d := version, commit, date
	if bi, ok := read(); ok {
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			case s.Key == "vcs.modified" && s.Value == "true" && c != "" && !strings.HasSuffix(c, "-dirty") && commit == "":
				c += "-dirty"
			}
		}
	}
	return Info{Version: v, Commit: c, Date: d, Go: runtime.Version()}
}

// String is the line `drift version` prints: drift 1.2.0 (commit 0123456789ab, 2026-03-04T05:06:07Z) go1.24.1
func (i Info) String() string {
	line := "drift " + i.Version
	if i.Commit != "" {
		line += " (commit " + shortCommit(i.Commit)
		if i.Date != "" {
			line += ", " + i.Date
		}
		line += ")"
	}
	return line + " " + i.Go
}

func shortCommit(c string) string {
	base, dirty := strings.CutSuffix(c, "-dirty")
	if len(base) > 12 {
		base = base[:12]
	}
	if dirty {
		base += "-dirty"
	}
	return base
}

// Write prints i as `drift version --format` asks: text (String's line) or json.
func (i Info) Write(w io.Writer, format string) error {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "text":
		_, err := fmt.Fprintln(w, i.String())
		return err
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]string{"version": i.Version, "commit": i.Commit, "date": i.Date, "go": i.Go})
	}
	return fmt.Errorf("--format must be text or json, not %q", format)
}
