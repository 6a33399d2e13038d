package daemon

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/slack"
	"github.com/drift-schema/drift/internal/store"
)

// helperEnv carries a helperConfig to a copy of this test binary started as a daemon replica:
// the replica tests run real, separate processes (each with its own connections, killable with
// SIGKILL) without building a second binary.
const helperEnv = "DRIFT_DAEMON_TEST_HELPER"

func TestMain(m *testing.M) {
	if cfg := os.Getenv(helperEnv); cfg != "" {
		os.Exit(helperMain(cfg))
	}
	// These tests spend most of their time waiting — on helper processes, stale claims, a Slack
	// that hangs — not computing, so more of them run at once than there are cores (the default
	// of -parallel). An explicit -parallel wins.
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", strconv.Itoa(max(6, runtime.GOMAXPROCS(0))))
	}
	os.Exit(pgtest.Main(m))
}

// helperConfig is what a helper process runs.
type helperConfig struct {
	// Mode is "run" (Run until SIGTERM) or "tick" (one tick at ScheduledFor, watching runs held
	// by other replicas until Until, with the outbox draining alongside, then exit).
	Mode          string
	Replica       string
	StoreDSN      string
	Targets       []Target
	WebhookURL    string
	Schedule      string
	ScheduledFor  time.Time
	Until         time.Time
	Timeout       time.Duration
	ClaimGrace    time.Duration
	NotifyTimeout time.Duration
	PostTimeout   time.Duration
}

// helperMain is the body of a helper process. It prints one JSON line per event on stdout:
// {"event":"ready"}, {"event":"checked","target":...} (before each check) and {"event":"done"}.
func helperMain(raw string) int {
	var cfg helperConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "helper: bad config:", err)
		return 3
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var mu sync.Mutex
	emit := func(v map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		data, _ := json.Marshal(v)
		fmt.Println(string(data))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	st, err := store.Open(ctx, cfg.StoreDSN, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 3
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 3
	}
	checker := announcingChecker{inner: newRunner(logger), emit: emit}
	notifier := slack.NewWebhook(cfg.WebhookURL, slack.SenderOptions{Logger: logger, Retry: fastRetry})
	claimGrace := cfg.ClaimGrace
	if claimGrace == 0 {
		claimGrace = time.Second
	}
	d, err := New(withDefaults(Options{Targets: cfg.Targets, Schedule: cfg.Schedule, ReplicaID: cfg.Replica,
		Timeout: cfg.Timeout, ClaimGrace: claimGrace, NotifyTimeout: cfg.NotifyTimeout, PostTimeout: cfg.PostTimeout,
		ShutdownTimeout: 20 * time.Second}), st, checker, notifier, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 3
	}
	emit(map[string]any{"event": "ready"})
	switch cfg.Mode {
	case "run":
		if err := d.Run(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 3
		}
	default:
		outbox, stopOutbox := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { d.outboxLoop(outbox, ctx) })
		d.tick(ctx, cfg.ScheduledFor, window{until: cfg.Until, stop: ctx.Done()}, cfg.Targets)
		stopOutbox()
		wg.Wait()
		d.drain(ctx, ctx)
	}
	emit(map[string]any{"event": "done"})
	return 0
}

// announcingChecker reports each check on stdout before running the real one, so the parent
// test can count checks across processes.
type announcingChecker struct {
	inner Checker
	emit  func(map[string]any)
}

func (a announcingChecker) CheckTarget(ctx context.Context, t check.Target) check.Result {
	a.emit(map[string]any{"event": "checked", "target": t.Name})
	return a.inner.CheckTarget(ctx, t)
}

// helper is a running helper process.
type helper struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	events []map[string]any
	exited chan struct{}
	err    error
}

// startHelper starts a replica process running cfg.
func startHelper(t *testing.T, cfg helperConfig) *helper {
	t.Helper()
	raw, err := json.Marshal(cfg)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+string(raw))
	stderr, err := os.Create(fmt.Sprintf("%s/%s.log", t.TempDir(), cfg.Replica))
	require.NoError(t, err)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	h := &helper{cmd: cmd, exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var ev map[string]any
			if json.Unmarshal(sc.Bytes(), &ev) == nil {
				h.mu.Lock()
				h.events = append(h.events, ev)
				h.mu.Unlock()
			}
		}
		h.err = cmd.Wait()
		_ = stderr.Close()
		close(h.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-h.exited:
		default:
			_ = cmd.Process.Kill()
			<-h.exited
		}
		if t.Failed() {
			data, _ := os.ReadFile(stderr.Name())
			t.Logf("replica %s log:\n%s", cfg.Replica, tail(string(data), 4000))
		}
	})
	return h
}

// count returns how many events of kind (and, when target is not empty, of that target) the
// helper printed.
func (h *helper) count(kind, target string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, ev := range h.events {
		if ev["event"] == kind && (target == "" || ev["target"] == target) {
			n++
		}
	}
	return n
}

func (h *helper) wait(t *testing.T, timeout time.Duration) {
	t.Helper()
	select {
	case <-h.exited:
	case <-time.After(timeout):
		t.Fatalf("helper did not exit within %s", timeout)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
