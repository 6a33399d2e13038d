package daemon

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/slack/testserver"
	"github.com/drift-schema/drift/internal/store"
)

// postsFor counts the posts about target: drift messages and resolutions.
func postsFor(srv *testserver.Server, target string) (drift, resolved int) {
	for _, m := range srv.Posts() {
		switch {
		case strings.HasPrefix(m.Text, "Warning drift on "+target+":"):
			drift++
		case strings.HasPrefix(m.Text, "Resolved on "+target+":"):
			resolved++
		}
	}
	return drift, resolved
}

func driftedTargets(t *testing.T, n int) []Target {
	var ts []Target
	for i := range n {
		tg := newTarget(t, fmt.Sprintf("db%d", i))
		pgtest.Exec(t, tg.DSN, drifted)
		ts = append(ts, tg)
	}
	return ts
}

// TestThreeReplicasOneTick runs three daemons in one process, each with its own connection pool
// to the store, on the same scheduled ticks.
func TestThreeReplicasOneTick(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	_, storeDSN := newStore(t, "")
	targets := driftedTargets(t, 6)
	var ds []*Daemon
	var checkers []*countingChecker
	for range 3 {
		st, _ := newStore(t, storeDSN)
		d, c, _ := newDaemon(t, st, targets, webhook(srv), Options{})
		ds, checkers = append(ds, d), append(checkers, c)
	}
	checks := func(target string) int {
		n := 0
		for _, c := range checkers {
			n += c.count(target)
		}
		return n
	}
	// Every replica ticks, then drains its outbox, all at once: the claims, not the timing,
	// keep the checks and the messages single.
	tickAll := func(at time.Time) {
		var wg sync.WaitGroup
		for _, d := range ds {
			wg.Go(func() {
				d.tick(ctx, at, window{}, targets)
				d.drain(ctx, ctx)
			})
		}
		wg.Wait()
	}

	first := time.Now().UTC().Truncate(time.Minute)
	tickAll(first)
	for _, tg := range targets {
		require.Equal(t, 1, checks(tg.Name), "%s checked once per tick", tg.Name)
		d, r := postsFor(srv, tg.Name)
		require.Equal(t, [2]int{1, 0}, [2]int{d, r}, "%s announced once", tg.Name)
	}
	require.Len(t, srv.Posts(), 6)

	for _, tg := range targets[:3] {
		pgtest.Exec(t, tg.DSN, fixed)
	}
	tickAll(first.Add(6 * time.Hour))
	tickAll(first.Add(12 * time.Hour))
	for i, tg := range targets {
		require.Equal(t, 3, checks(tg.Name))
		d, r := postsFor(srv, tg.Name)
		want := 0
		if i < 3 {
			want = 1
		}
		require.Equal(t, [2]int{1, want}, [2]int{d, r}, tg.Name)
	}
	require.Len(t, srv.Posts(), 9, "every message sent once")
}

// TestThreeProcessesOneSchedule runs three daemon processes on one store and one schedule.
func TestThreeProcessesOneSchedule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, storeDSN := newStore(t, "")
	targets := driftedTargets(t, 6)
	var hs []*helper
	for i := range 3 {
		hs = append(hs, startHelper(t, helperConfig{Mode: "run", Replica: fmt.Sprintf("replica-%d", i+1),
			StoreDSN: storeDSN, Targets: targets, WebhookURL: srv.WebhookURL(), Schedule: "*/2 * * * * *",
			Timeout: 30 * time.Second, NotifyTimeout: 20 * time.Second}))
	}
	eventually(t, 60*time.Second, "three replicas ready", func() bool {
		for _, h := range hs {
			if h.count("ready", "") == 0 {
				return false
			}
		}
		return true
	})
	started := time.Now()

	// fullTicksAfter counts the ticks after since in which every target was checked.
	fullTicksAfter := func(since time.Time) int {
		runs, err := st.Runs(ctx, "", 10000)
		require.NoError(t, err)
		finished := map[time.Time]int{}
		for _, r := range runs {
			if r.ScheduledFor.After(since) && !r.FinishedAt.IsZero() {
				finished[r.ScheduledFor]++
			}
		}
		n := 0
		for _, c := range finished {
			if c == len(targets) {
				n++
			}
		}
		return n
	}
	eventually(t, 60*time.Second, "a full tick with every replica up", func() bool { return fullTicksAfter(started) >= 1 })
	eventually(t, 30*time.Second, "six drift messages", func() bool { return len(srv.Posts()) >= 6 })

	for _, tg := range targets[:3] {
		pgtest.Exec(t, tg.DSN, fixed)
	}
	fixedAt := time.Now()
	eventually(t, 60*time.Second, "three resolutions", func() bool { return len(srv.Posts()) >= 9 })
	eventually(t, 60*time.Second, "two more full ticks", func() bool { return fullTicksAfter(fixedAt) >= 3 })

	for _, h := range hs {
		require.NoError(t, h.cmd.Process.Signal(syscall.SIGTERM))
	}
	for _, h := range hs {
		h.wait(t, 60*time.Second)
		require.NoError(t, h.err, "graceful shutdown exits 0")
		require.Equal(t, 1, h.count("done", ""))
	}

	runs, err := st.Runs(ctx, "", 10000)
	require.NoError(t, err)
	perTarget := map[string]int{}
	perReplica := map[string]int{}
	for _, r := range runs {
		require.NotEqual(t, store.RunRunning, r.Status, "every claimed run finished")
		require.Equal(t, 1, r.Attempts)
		perTarget[r.Target]++
		perReplica[r.ReplicaID]++
	}
	for i, tg := range targets {
		checked := 0
		for _, h := range hs {
			checked += h.count("checked", tg.Name)
		}
		require.Equal(t, perTarget[tg.Name], checked, "%s: one check per tick, across all replicas", tg.Name)
		d, r := postsFor(srv, tg.Name)
		want := 0
		if i < 3 {
			want = 1
		}
		require.Equal(t, [2]int{1, want}, [2]int{d, r}, "%s: every message sent once", tg.Name)
	}
	require.Len(t, srv.Posts(), 9)
	t.Logf("runs per replica: %v over %d runs", perReplica, len(runs))
}

// TestKilledMidRun kills a replica with SIGKILL while it checks: one target done and announced,
// one stuck on an unresponsive database. On restart nothing is repeated and the stuck run is
// completed once its claim is stale.
func TestKilledMidRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, storeDSN := newStore(t, "")
	p := newProxy(t)
	direct := pgtest.NewDB(t)
	pgtest.Exec(t, direct, baseSchema)
	slow := targetFor(t, "slow", p.dsn(dbName(t, direct), "Slow-Pw-1"), direct)
	pgtest.Exec(t, direct, drifted)
	fast := newTarget(t, "fast")
	pgtest.Exec(t, fast.DSN, drifted)
	targets := []Target{slow, fast}

	p.set("hang")
	tick := time.Now().UTC().Truncate(time.Second)
	h := startHelper(t, helperConfig{Mode: "tick", Replica: "doomed", StoreDSN: storeDSN, Targets: targets,
		WebhookURL: srv.WebhookURL(), ScheduledFor: tick, Timeout: time.Minute, NotifyTimeout: 20 * time.Second})
	runOf := func(target string) store.Run {
		runs, err := st.Runs(ctx, target, 10)
		require.NoError(t, err)
		if len(runs) == 0 {
			return store.Run{}
		}
		return runs[0]
	}
	eventually(t, 60*time.Second, "fast announced while slow hangs", func() bool {
		d, _ := postsFor(srv, "fast")
		return d == 1 && runOf("slow").Status == store.RunRunning
	})
	require.NoError(t, h.cmd.Process.Signal(syscall.SIGKILL))
	h.wait(t, 10*time.Second)
	p.set("pass")
	dead := runOf("slow")
	require.Equal(t, "doomed", dead.ReplicaID)

	// The restarted replica judges staleness by its own timeouts: 3s plus 1s of grace.
	for i := range targets {
		targets[i].Timeout = 3 * time.Second
	}
	d, checker, _ := newDaemon(t, st, targets, webhook(srv), Options{ClaimGrace: time.Second})
	outs := d.tick(ctx, tick, window{}, targets)
	if time.Since(dead.ClaimedAt) < 3*time.Second {
		require.False(t, outs[0].Checked, "a fresh claim of another replica is respected")
	}
	require.False(t, outs[1].Checked, "a finished run is not repeated")
	eventually(t, 20*time.Second, "the stale run taken over", func() bool {
		time.Sleep(200 * time.Millisecond)
		d.tick(ctx, tick, window{}, targets)
		return runOf("slow").FinishedAt.After(dead.ClaimedAt)
	})
	done := runOf("slow")
	require.Equal(t, dead.ID, done.ID, "the same run is completed, not a second one")
	require.Equal(t, d.ReplicaID(), done.ReplicaID)
	require.Equal(t, 2, done.Attempts)
	require.Equal(t, store.RunStatus("drift"), done.Status)
	require.Equal(t, 1, checker.count("slow"))
	require.Zero(t, checker.count("fast"), "fast was done before the kill")
	require.Equal(t, "doomed", runOf("fast").ReplicaID)

	d.tick(ctx, tick.Add(time.Hour), window{}, targets)
	d.drain(ctx, ctx)
	for _, target := range []string{"slow", "fast"} {
		dr, _ := postsFor(srv, target)
		require.Equal(t, 1, dr, "%s announced exactly once", target)
	}
	require.Len(t, srv.Posts(), 2)
}

// TestKilledMidSend kills a replica with SIGKILL while its message is in flight (claimed, not
// acknowledged by Slack). The claim blocks other senders until it is stale; then the message is
// sent, once.
func TestKilledMidSend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, storeDSN := newStore(t, "")
	app := newTarget(t, "app")
	pgtest.Exec(t, app.DSN, drifted)
	targets := []Target{app}

	arrived, release := srv.HoldNext()
	h := startHelper(t, helperConfig{Mode: "tick", Replica: "doomed", StoreDSN: storeDSN, Targets: targets,
		WebhookURL: srv.WebhookURL(), ScheduledFor: time.Now().UTC().Truncate(time.Second),
		Timeout: time.Minute, NotifyTimeout: 60 * time.Second, PostTimeout: 60 * time.Second})
	select {
	case <-arrived:
	case <-time.After(60 * time.Second):
		t.Fatal("the message never reached Slack")
	}
	conn, err := pgx.Connect(ctx, storeDSN)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var claimedBy string
	require.NoError(t, conn.QueryRow(ctx, "SELECT claimed_by FROM schema_drift_alerts WHERE target = 'app'").Scan(&claimedBy))
	require.Equal(t, "doomed", claimedBy, "stored first, claimed, in flight")

	require.NoError(t, h.cmd.Process.Signal(syscall.SIGKILL))
	h.wait(t, 10*time.Second)
	eventually(t, 10*time.Second, "Slack to see the client go", func() bool { return srv.Abandoned() == 1 })
	release()
	require.Empty(t, srv.Posts())

	d, _, _ := newDaemon(t, st, targets, webhook(srv), Options{NotifyTimeout: 3 * time.Second})
	var fresh bool
	require.NoError(t, conn.QueryRow(ctx, "SELECT claimed_at > now() - interval '5 seconds' FROM schema_drift_alerts WHERE target = 'app'").Scan(&fresh))
	d.drain(ctx, ctx)
	if fresh {
		require.Empty(t, srv.Posts(), "a claim that is not stale yet is not taken over")
	}
	eventually(t, 20*time.Second, "the stale claim taken over and the message sent", func() bool {
		d.drain(ctx, ctx)
		return len(srv.Posts()) > 0
	})
	d.drain(ctx, ctx)
	d.tick(ctx, time.Now().UTC().Add(time.Hour), window{}, targets)
	d.drain(ctx, ctx)
	require.Len(t, srv.Posts(), 1, "sent once")
	as, err := st.Alerts(ctx, store.AlertFilter{Target: "app"})
	require.NoError(t, err)
	require.Equal(t, "none", string(as[0].Pending))
}

// TestSurvivorTakesOverInTheSameTick kills a replica with SIGKILL while it checks a target that
// hangs. A survivor that found the target claimed comes back when the claim goes stale and checks
// it within the same tick — not at the next schedule, which could be hours away.
func TestSurvivorTakesOverInTheSameTick(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.New(t)
	st, storeDSN := newStore(t, "")
	p := newProxy(t)
	direct := pgtest.NewDB(t)
	pgtest.Exec(t, direct, baseSchema)
	slow := targetFor(t, "slow", p.dsn(dbName(t, direct), "Slow-Pw-4"), direct)
	pgtest.Exec(t, direct, drifted)
	fast := newTarget(t, "fast")
	targets := []Target{slow, fast}

	p.set("hang")
	tick := time.Now().UTC().Truncate(time.Second)
	h := startHelper(t, helperConfig{Mode: "tick", Replica: "doomed", StoreDSN: storeDSN, Targets: targets,
		WebhookURL: srv.WebhookURL(), ScheduledFor: tick, Until: tick.Add(time.Hour), Timeout: time.Minute,
		NotifyTimeout: 20 * time.Second})
	runOf := func(target string) store.Run {
		runs, err := st.Runs(ctx, target, 10)
		require.NoError(t, err)
		if len(runs) == 0 {
			return store.Run{}
		}
		return runs[0]
	}
	eventually(t, 60*time.Second, "doomed checking slow, fast done", func() bool {
		return runOf("slow").Status == store.RunRunning && runOf("fast").Status == store.RunClean
	})

	// The survivor's tick of the same schedule, with the next tick an hour away. It judges the
	// claim stale after its own timeout and grace: 6s + 1s, long enough to find it fresh.
	survivorTargets := append([]Target(nil), targets...)
	for i := range survivorTargets {
		survivorTargets[i].Timeout = 6 * time.Second
	}
	d, checker, logs := newDaemon(t, st, survivorTargets, webhook(srv), Options{ClaimGrace: time.Second})
	outc := make(chan []Outcome, 1)
	started := time.Now()
	go func() { outc <- d.tick(ctx, tick, window{until: tick.Add(time.Hour)}, survivorTargets) }()
	eventually(t, 20*time.Second, "the survivor waiting for the claim", func() bool {
		return strings.Contains(logs.String(), "checking again when its claim would be stale")
	})
	require.NoError(t, h.cmd.Process.Signal(syscall.SIGKILL))
	h.wait(t, 10*time.Second)
	p.set("pass")

	var outs []Outcome
	select {
	case outs = <-outc:
	case <-time.After(30 * time.Second):
		t.Fatal("the survivor's tick did not finish")
	}
	require.True(t, outs[0].Checked, "slow checked in the same tick")
	require.Equal(t, 2, outs[0].Attempt, "a takeover of the dead replica's run")
	require.Equal(t, check.StatusDrift, outs[0].Result.Status, outs[0].Result.Error)
	require.False(t, outs[1].Checked, "fast was done by the replica that died")
	require.Less(t, time.Since(started), 20*time.Second)
	require.Equal(t, 1, checker.count("slow"))
	done := runOf("slow")
	require.Equal(t, tick, done.ScheduledFor)
	require.Equal(t, d.ReplicaID(), done.ReplicaID)
	require.Equal(t, store.RunDrift, done.Status)

	d.drain(ctx, ctx)
	dr, _ := postsFor(srv, "slow")
	require.Equal(t, 1, dr, "slow's drift announced once")
}
