// Package pgcluster starts throwaway PostgreSQL clusters from the server binaries installed on
// the machine: initdb into a temporary directory, a server listening only on a Unix socket in
// that directory, and everything removed on Stop.
//
// drift uses it as the embedded default shadow server (replaying migrations needs a scratch
// server of the same major version as the live one), for `make demo`, and in tests. No TCP port
// is opened, so two clusters never collide and nothing outside the machine can reach one.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Superuser is the name of the superuser created by initdb in every throwaway cluster.
const Superuser = "postgres"

// Options tune a throwaway cluster. The zero value is usable.
type Options struct {
	// BinDir holds initdb, pg_ctl and postgres. Empty: search PATH, then /usr/lib/postgresql/*/bin.
	BinDir string
	// Major, when non-zero, asks for binaries of this major version (15, 16, ...), so a shadow
	// renders definitions with the same deparser as the live server.
	Major int
	// Settings are extra server settings (name → value), e.g. max_locks_per_transaction.
	Settings map[string]string
}

// Cluster is a running throwaway cluster.
type Cluster struct {
	dir    string
	binDir string
	major  int
	cred   *syscall.Credential
}

// Dir is the temporary directory holding the data directory, the socket and the server log.
func (c *Cluster) Dir() string { return c.dir }

// Major is the server's major version.
func (c *Cluster) Major() int { return c.major }

// BinDir is the directory of the server binaries in use (pg_dump and psql of the same version
// usually live beside them).
func (c *Cluster) BinDir() string { return c.binDir }

// DSN returns a connection string for the superuser on the named database, over the socket.
func (c *Cluster) DSN(database string) string {
	return fmt.Sprintf("host=%s port=5432 user=%s dbname=%s sslmode=disable", c.dir, Superuser, database)
}

// FindBinaries returns a directory holding initdb, pg_ctl and postgres, and its major version.
// With major == 0 it prefers PATH, then the newest /usr/lib/postgresql/N/bin.
func FindBinaries(major int) (string, int, error) {
	var candidates []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		candidates = append(candidates, filepath.Dir(p))
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOfDir(dirs[i]) > versionOfDir(dirs[j]) })
	candidates = append(candidates, dirs...)
	var seen []string
	for _, dir := range candidates {
		if !isExecutable(filepath.Join(dir, "initdb")) || !isExecutable(filepath.Join(dir, "pg_ctl")) {
			continue
		}
		v, err := BinaryMajor(dir)
		if err != nil {
			continue
		}
		seen = append(seen, strconv.Itoa(v))
		if major == 0 || v == major {
			return dir, v, nil
		}
	}
	if major != 0 && len(seen) > 0 {
		return "", 0, fmt.Errorf("no PostgreSQL %d server binaries on this machine (found %s); install postgresql-%d", major, strings.Join(seen, ", "), major)
	}
	return "", 0, errors.New("no PostgreSQL server binaries (initdb, pg_ctl) on this machine; install them with `apt-get install -y postgresql` or configure a shadow server DSN")
}

func versionOfDir(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// BinaryMajor asks dir's pg_ctl for its major version: "pg_ctl (PostgreSQL) 15.18 (Debian ...)".
func BinaryMajor(dir string) (int, error) {
	out, err := exec.Command(filepath.Join(dir, "pg_ctl"), "--version").Output()
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(out))
	for i, f := range fields {
		if f == "(PostgreSQL)" && i+1 < len(fields) {
			major, _, _ := strings.Cut(fields[i+1], ".")
			return strconv.Atoi(major)
		}
	}
	return 0, fmt.Errorf("cannot read a version from %q", strings.TrimSpace(string(out)))
}

// Start creates and starts a throwaway cluster. The caller must Stop it.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	binDir, major := opts.BinDir, opts.Major
	if binDir == "" {
		binDir, major, err = FindBinaries(opts.Major)
		if err != nil {
			return nil, err
		}
	} else if major == 0 {
		if major, err = BinaryMajor(binDir); err != nil {
			return nil, fmt.Errorf("reading the version of %s/pg_ctl: %w", binDir, err)
		}
	}
	dir, err := os.MkdirTemp("", "drift-pg-")
	if err != nil {
		return nil, fmt.Errorf("creating a directory for a throwaway cluster: %w", err)
	}
	c := &Cluster{dir: dir, binDir: binDir, major: major}
	// A crashed owner (a killed test binary, a SIGKILLed drift) cannot stop its cluster; the
	// owner file lets the next Start find and stop it.
	// Orphans of the same binaries (downloaded ones too) are trusted: the caller chose them.
	SweepOrphans(ctx, binDir)
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(fmt.Sprintf("%d\n%s\n", os.Getpid(), binDir)), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("creating a throwaway cluster: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Stop(context.Background()))
		}
	}()
	// initdb refuses to run as root. When we are root, the cluster belongs to an unprivileged
	// system user, and the temporary directory is handed to it.
	if os.Geteuid() == 0 {
		cred, err := unprivileged()
		if err != nil {
			return nil, err
		}
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("handing %s to uid %d: %w", dir, cred.Uid, err)
		}
		c.cred = cred
	}
	data := filepath.Join(dir, "data")
	args := []string{"-D", data, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"}
	if major >= 14 { // PostgreSQL 13's initdb does not know it
		args = append(args, "--no-instructions")
	}
	if err := c.run(ctx, "initdb", args...); err != nil {
		return nil, err
	}
	settings := map[string]string{
		"listen_addresses":          "''",
		"unix_socket_directories":   "'" + dir + "'",
		"port":                      "5432",
		"fsync":                     "off",
		"synchronous_commit":        "off",
		"full_page_writes":          "off",
		"max_locks_per_transaction": "1024",
		"max_connections":           "200",
		"log_min_messages":          "warning",
	}
	for k, v := range opts.Settings {
		settings[k] = v
	}
	var conf bytes.Buffer
	conf.WriteString("\n# drift throwaway cluster\n")
	names := make([]string, 0, len(settings))
	for k := range settings {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&conf, "%s = %s\n", k, settings[k])
	}
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("configuring throwaway cluster: %w", err)
	}
	_, werr := f.Write(conf.Bytes())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("configuring throwaway cluster: %w", werr)
	}
	if err := c.run(ctx, "pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		return nil, fmt.Errorf("%w\nserver log:\n%s", err, lastLines(string(log), 20))
	}
	return c, nil
}

// Stop stops the server and removes the temporary directory. It is safe to call twice.
func (c *Cluster) Stop(ctx context.Context) error {
	if c == nil || c.dir == "" {
		return nil
	}
	var errs []error
	data := filepath.Join(c.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		if err := c.run(ctx, "pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "60", "stop"); err != nil {
			errs = append(errs, err)
		}
	}
	if err := os.RemoveAll(c.dir); err != nil {
		errs = append(errs, fmt.Errorf("removing throwaway cluster directory: %w", err))
	}
	c.dir = ""
	return errors.Join(errs...)
}

// ownerFile in a cluster's directory holds the owning process's PID and the binaries' directory.
const ownerFile = "owner"

// SweepOrphans stops and removes throwaway clusters whose owning process is gone, and returns
// their directories. Only directories this package created (the drift-pg- prefix in the temp
// directory, with an owner file) are touched, and only when their owner is dead. It is
// best-effort: a cluster it cannot stop is left for the next sweep. trusted are binary
// directories, besides the local installs, whose pg_ctl may stop an orphan.
func SweepOrphans(ctx context.Context, trusted ...string) []string {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "drift-pg-*"))
	// The temporary directory is world-writable: anyone can plant a drift-pg-* directory. Only
	// a private directory of the user drift's clusters run as is trusted, and the binaries are
	// only ever ones FindBinaries would pick or the caller trusts, never a path read from the
	// directory alone.
	var cred *syscall.Credential
	uid := os.Geteuid()
	if uid == 0 {
		var err error
		if cred, err = unprivileged(); err != nil {
			return nil
		}
		uid = int(cred.Uid)
	}
	var swept []string
	for _, dir := range dirs {
		if !privateDirOf(dir, uid) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue
		}
		pidText, binDir, _ := strings.Cut(strings.TrimSpace(string(data)), "\n")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || processAlive(pid) || !knownBinDir(binDir, trusted) {
			continue
		}
		c := &Cluster{dir: dir, binDir: binDir, cred: cred}
		if c.Stop(ctx) == nil {
			swept = append(swept, dir)
		}
	}
	return swept
}

// privateDirOf reports whether dir is a real directory (not a link), owned by uid, that no one
// else may enter.
func privateDirOf(dir string, uid int) bool {
	st, err := os.Lstat(dir)
	if err != nil || !st.IsDir() || st.Mode().Perm()&0o077 != 0 {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == uid
}

// knownBinDir reports whether dir is one of the server binary directories FindBinaries considers,
// or one the caller trusts.
func knownBinDir(dir string, trusted []string) bool {
	if dir == "" {
		return false
	}
	candidates, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		candidates = append(candidates, filepath.Dir(p))
	}
	for _, c := range candidates {
		if c == dir {
			return true
		}
	}
	return slices.Contains(trusted, dir)
}

// processAlive reports whether a process with this PID exists (signal 0 checks without sending).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "PGTZ=UTC")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(lastLines(out.String(), 10)))
	}
	return nil
}

// unprivileged finds a system user to own a cluster started by root: "postgres" when the
// PostgreSQL packages created it, else "nobody".
func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root and no unprivileged user (postgres, nobody) to own a throwaway cluster")
}

// Trouble returns the server log's lines that say a server process failed (a crash, a PANIC, a
// process killed and the restart that follows), at most the last n: what a test that failed
// on a connection needs to see. "" when there are none, or no log.
func (c *Cluster) Trouble(n int) string {
	data, err := os.ReadFile(filepath.Join(c.dir, "server.log"))
	if err != nil {
		return ""
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		for _, mark := range []string{"PANIC", "terminated by signal", "was terminated", "terminating any other active server processes", "database system was interrupted", "out of memory"} {
			if strings.Contains(line, mark) {
				out = append(out, line)
				break
			}
		}
	}
	return lastLines(strings.Join(out, "\n"), n)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// WaitReady is a convenience for callers that connect right after Start on slow machines: it
// retries fn until it succeeds or the timeout passes.
func WaitReady(ctx context.Context, timeout time.Duration, fn func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := fn(ctx)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
