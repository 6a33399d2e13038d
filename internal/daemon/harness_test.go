package daemon

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/clock"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/engine"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/postgres"
	"github.com/drift-schema/drift/internal/postgres/catalog"
	"github.com/drift-schema/drift/internal/slack"
	"github.com/drift-schema/drift/internal/snapshot"
	"github.com/drift-schema/drift/internal/store"
)

// The daemon tests run the real thing end to end: the real check.Runner with the real
// PostgreSQL engine introspecting real databases and comparing with expected snapshots written
// from those databases before the test drifts them, a real store, and an HTTP server speaking
// Slack's API.

func newRunner(logger *slog.Logger) *check.Runner {
	return check.NewRunner(check.RunnerOptions{Engines: []engine.Engine{postgres.New(postgres.Options{})}, Logger: logger})
}

// countingChecker counts the checks per target around the real runner. It observes; it does
// not change the result.
type countingChecker struct {
	inner Checker
	mu    sync.Mutex
	n     map[string]int
}

func (c *countingChecker) CheckTarget(ctx context.Context, t check.Target) check.Result {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[t.Name]++
	c.mu.Unlock()
	return c.inner.CheckTarget(ctx, t)
}

func (c *countingChecker) count(target string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[target]
}

// baseSchema is every target's expected schema.
const baseSchema = `
CREATE TABLE public.users (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz DEFAULT now());
CREATE TABLE public.orders (id bigint PRIMARY KEY, user_id bigint REFERENCES public.users (id), total numeric(12,2));
`

// drifted is what the tests do behind the migrations' back, and fixed undoes it.
const (
	drifted = "CREATE INDEX tmp_report_idx ON public.orders (total)"
	fixed   = "DROP INDEX public.tmp_report_idx"
)

// newTarget creates a database with baseSchema and writes its expected snapshot.
func newTarget(t testing.TB, name string) Target {
	t.Helper()
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, baseSchema)
	return targetFor(t, name, dsn, dsn)
}

// targetFor writes the expected snapshot of the database at introspectDSN and returns a target
// whose daemon connects through dsn.
func targetFor(t testing.TB, name, dsn, introspectDSN string) Target {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	snap, err := catalog.IntrospectDSN(ctx, introspectDSN, catalog.Options{Schemas: []string{"public"}})
	require.NoError(t, err)
	snap.Target = name
	path := filepath.Join(t.TempDir(), name+".json")
	require.NoError(t, snapshot.WriteFile(path, snap))
	return Target{Target: check.Target{Name: name, Engine: snapshot.EnginePostgres, DSN: dsn,
		Expected: check.ExpectSnapshot, SnapshotPath: path, Schemas: []string{"public"}, Timeout: time.Minute}}
}

// newStore opens a migrated store on a fresh database (or on dsn when given).
func newStore(t testing.TB, dsn string) (*store.Store, string) {
	t.Helper()
	if dsn == "" {
		dsn = pgtest.NewDB(t)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, nil)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	require.NoError(t, st.Migrate(ctx))
	return st, dsn
}

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testLogger(t testing.TB) (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	var w io.Writer = buf
	if testing.Verbose() {
		w = io.MultiWriter(buf, os.Stderr)
	} else {
		// A failed test shows what the daemon logged: a timing failure is read from its log.
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("daemon log:\n%s", buf.String())
			}
		})
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// fastRetry keeps Slack backoffs short in tests (Retry-After is still honoured as sent).
var fastRetry = slack.RetryOptions{BaseDelay: 10 * time.Millisecond, MaxDelay: 5 * time.Second}

// withDefaults fills the options a test leaves zero with drift's defaults, from internal/config
// as cmd/drift does: the daemon has none of its own.
func withDefaults(o Options) Options {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if o.Schedule == "" {
		o.Schedule = config.DefaultSchedule
	}
	if o.Concurrency == 0 {
		o.Concurrency = config.DefaultConcurrency
	}
	if o.FailureThreshold == 0 {
		o.FailureThreshold = config.DefaultFailureThreshold
	}
	set(&o.Timeout, config.DefaultTimeout)
	set(&o.ShutdownTimeout, config.DefaultShutdownTimeout)
	set(&o.ClaimGrace, config.DefaultClaimGrace)
	set(&o.NotifyTimeout, config.DefaultNotifyTimeout)
	set(&o.PostTimeout, config.DefaultPostTimeout)
	set(&o.RetryBackoff, config.DefaultRetryBackoff)
	set(&o.RetryBackoffMax, config.DefaultRetryBackoffMax)
	return o
}

// epoch is where the tests' fake clocks start: a Monday, 12:00 UTC.
var epoch = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// fakeClock is a clock the test moves by hand.
func fakeClock() *clock.Fake { return clock.NewFake(epoch) }

// proxy is a TCP proxy in front of the test PostgreSQL server, to make a database unreachable
// or unresponsive on demand, the way a network or a failover does.
type proxy struct {
	ln      net.Listener
	network string
	addr    string
	mode    atomic.Value // "pass", "hang" or "refuse"
	mu      sync.Mutex
	conns   map[net.Conn]bool
	user    string
}

// newProxy starts a proxy to the server behind pgtest.AdminDSN.
func newProxy(t testing.TB) *proxy {
	t.Helper()
	cfg, err := pgconn.ParseConfig(pgtest.AdminDSN(t))
	require.NoError(t, err)
	p := &proxy{conns: map[net.Conn]bool{}, user: cfg.User, network: "tcp", addr: net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))}
	if strings.HasPrefix(cfg.Host, "/") {
		p.network, p.addr = "unix", fmt.Sprintf("%s/.s.PGSQL.%d", cfg.Host, cfg.Port)
	}
	p.mode.Store("pass")
	p.ln, err = net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.ln.Close(); p.set("refuse") })
	go p.serve()
	return p
}

// dsn returns a DSN reaching database through the proxy, with a password in it (the server
// trusts local connections, so the password is not checked — but it is in the string the
// daemon holds, which is what the secret tests need).
func (p *proxy) dsn(database, password string) string {
	return fmt.Sprintf("postgres://%s:%s@%s/%s?sslmode=disable", p.user, password, p.ln.Addr(), database)
}

// set changes the mode and drops every open connection, as an outage would.
func (p *proxy) set(mode string) {
	p.mode.Store(mode)
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *proxy) track(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns[c] = true
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		switch p.mode.Load() {
		case "refuse":
			_ = c.Close()
		case "hang":
			p.track(c) // never answered; closed by the next set()
		default:
			b, err := net.Dial(p.network, p.addr)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.track(c)
			p.track(b)
			go func() { _, _ = io.Copy(b, c); _ = b.Close() }()
			go func() { _, _ = io.Copy(c, b); _ = c.Close() }()
		}
	}
}

// dbName returns the database name of a pgtest DSN.
func dbName(t testing.TB, dsn string) string {
	cfg, err := pgconn.ParseConfig(dsn)
	require.NoError(t, err)
	return cfg.Database
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// idle reports whether no tick of d is running.
func (d *Daemon) idle() bool {
	for _, g := range d.groups {
		if g.busy.Load() {
			return false
		}
	}
	return true
}
