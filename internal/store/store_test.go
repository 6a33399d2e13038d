package store

import (
	"bytes"
	"context"
	"errors"
	"go/build"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/snapshot"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var tick = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newStore(t *testing.T) (*Store, string) {
	t.Helper()
	dsn := pgtest.NewDB(t)
	ctx := context.Background()
	s, err := OpenMigrated(ctx, dsn, nil)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s, dsn
}

func finding(target, object string, sev diff.Severity, actual string) diff.Finding {
	return diff.Finding{Kind: "column", Object: object, Change: diff.Changed, Severity: sev,
		Summary: object + " differs", Expected: "type: text", Actual: actual,
		Fingerprint: diff.Fingerprint(target, "column", object, diff.Changed)}
}

func liveSnapshot(cols ...string) *snapshot.Snapshot {
	s := snapshot.New(snapshot.EnginePostgres)
	s.Add(snapshot.Object{Kind: "table", Key: snapshot.MustKey("public.users"), Parent: snapshot.MustKey("public")})
	for _, c := range cols {
		s.Add(snapshot.Object{Kind: "column", Key: snapshot.MustKey("public.users." + c), Parent: snapshot.MustKey("public.users")})
	}
	if err := s.Normalize(); err != nil {
		panic(err)
	}
	return s
}

// result is what a test's check found: the daemon turns a check.Result into this shape.
type result struct {
	status   RunStatus
	err      string
	findings []diff.Finding
	ignored  []string
	live     *snapshot.Snapshot
}

// outcome is the run outcome of res, finished at.
func outcome(t *testing.T, res result, at time.Time) RunOutcome {
	t.Helper()
	out := RunOutcome{Status: res.status, Error: res.err, FinishedAt: at, Duration: time.Second, Findings: len(res.findings)}
	for _, f := range res.findings {
		switch f.Severity {
		case diff.Critical:
			out.Critical++
		case diff.Warning:
			out.Warning++
		default:
			out.Info++
		}
	}
	if res.live != nil {
		h, err := res.live.Hash()
		require.NoError(t, err)
		data, err := res.live.Marshal()
		require.NoError(t, err)
		out.SnapshotHash, out.Snapshot = h, data
	}
	return out
}

// decider decides as the daemon does, with the default threshold of two failures.
func decider(target string, res result, now time.Time) Decider {
	return func(stored []alert.Alert, failures int) []alert.Action {
		obs := alert.Observation{Target: target, Findings: res.findings, Ignored: res.ignored, Failures: failures}
		if res.status == RunError {
			obs.Findings, obs.CheckError = nil, res.err
		}
		return alert.Decide(stored, obs, now, alert.Options{FailureThreshold: 2})
	}
}

// record claims and records one run of target at the given tick, finished a minute later.
func record(t *testing.T, s *Store, target string, at time.Time, res result) Recorded {
	t.Helper()
	ctx := context.Background()
	run, ok, err := s.ClaimRun(ctx, target, at, "r1", time.Hour)
	require.NoError(t, err)
	require.True(t, ok)
	done := at.Add(time.Minute)
	rec, err := s.RecordRun(ctx, run, outcome(t, res, done), decider(target, res, done))
	require.NoError(t, err)
	return rec
}

func TestMigrateConcurrentlyAppliesOnce(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDB(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(ctx, dsn, nil)
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			errs[i] = s.Migrate(ctx)
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	s, err := Open(ctx, dsn, nil)
	require.NoError(t, err)
	defer s.Close()
	v, err := s.Version(ctx)
	require.NoError(t, err)
	require.Equal(t, len(migrations), v)
	var rows int
	require.NoError(t, s.pool.QueryRow(ctx, "SELECT count(*) FROM drift_schema_version").Scan(&rows))
	require.Equal(t, len(migrations), rows, "each version applied exactly once")
	require.NoError(t, s.Migrate(ctx), "migrating again is a no-op")
	for _, table := range []string{"schema_drift_alerts", "drift_runs", "drift_snapshots"} {
		var exists bool
		require.NoError(t, s.pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&exists))
		require.True(t, exists, table)
	}
}

func TestMigrateRefusesNewerStore(t *testing.T) {
	t.Parallel()
	s, dsn := newStore(t)
	ctx := context.Background()
	_, err := s.pool.Exec(ctx, "INSERT INTO drift_schema_version (version) VALUES (99)")
	require.NoError(t, err)
	require.ErrorContains(t, s.Migrate(ctx), "version 99")
	_, err = OpenMigrated(ctx, dsn, nil)
	require.ErrorContains(t, err, "version 99", "a store drift cannot migrate is not opened")
}

func TestOpenErrorHidesPassword(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	_, err := Open(ctx, "postgres://drift:Sup3rSecretPw@127.0.0.1:1/store?connect_timeout=2", logger)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "Sup3rSecretPw")
	_, err = Open(ctx, "host=127.0.0.1 port=1 user=drift password=Sup3rSecretPw connect_timeout=2", logger)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "Sup3rSecretPw")
	_, err = Open(ctx, "postgres://drift:Sup3rSecretPw@127.0.0.1:notaport/store", logger)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "Sup3rSecretPw")
	require.NotContains(t, logs.String(), "Sup3rSecretPw")
}

func TestClaimRunExactlyOnce(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 10 {
		wg.Go(func() {
			_, ok, err := s.ClaimRun(ctx, "app", tick, "replica-"+string(rune('a'+i)), time.Hour)
			require.NoError(t, err)
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Equal(t, 1, won)
	_, ok, err := s.ClaimRun(ctx, "app", tick.Add(6*time.Hour), "replica-a", time.Hour)
	require.NoError(t, err)
	require.True(t, ok, "the next tick is a new claim")
}

func TestClaimRunTakesOverStaleClaim(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	dead, ok, err := s.ClaimRun(ctx, "app", tick, "dead", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = s.ClaimRun(ctx, "app", tick, "alive", time.Minute)
	require.NoError(t, err)
	require.False(t, ok, "a fresh claim is respected")

	_, err = s.pool.Exec(ctx, "UPDATE drift_runs SET claimed_at = now() - interval '2 minutes'")
	require.NoError(t, err)
	run, ok, err := s.ClaimRun(ctx, "app", tick, "alive", time.Minute)
	require.NoError(t, err)
	require.True(t, ok, "a stale claim is taken over")
	require.Equal(t, dead.ID, run.ID, "the same run row is completed, not a second one")
	require.Equal(t, 2, run.Attempts)
	require.Equal(t, "alive", run.ReplicaID)

	clean := result{status: RunClean}
	_, err = s.RecordRun(ctx, dead, outcome(t, clean, tick), decider("app", clean, tick))
	require.ErrorIs(t, err, ErrRunLost, "the dead replica, were it to wake up, must not record")
	rec, err := s.RecordRun(ctx, run, outcome(t, clean, tick), decider("app", clean, tick))
	require.NoError(t, err)
	require.Equal(t, RunClean, rec.Run.Status)

	_, ok, err = s.ClaimRun(ctx, "app", tick, "third", 0)
	require.NoError(t, err)
	require.False(t, ok, "a finished run is never claimed again")
}

func TestClaimRunAbandonsEarlierStaleRuns(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	_, ok, err := s.ClaimRun(ctx, "app", tick, "dead", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	_, err = s.pool.Exec(ctx, "UPDATE drift_runs SET claimed_at = now() - interval '2 minutes'")
	require.NoError(t, err)
	_, ok, err = s.ClaimRun(ctx, "app", tick.Add(6*time.Hour), "alive", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	runs, err := s.Runs(ctx, "app", 10)
	require.NoError(t, err)
	require.Len(t, runs, 2)
	require.Equal(t, RunRunning, runs[0].Status)
	require.Equal(t, RunAbandoned, runs[1].Status)
	require.Contains(t, runs[1].Error, "replica dead stopped before finishing")
}

func TestRecordRunLifecycle(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	email := finding("app", "public.users.email", diff.Critical, "type: varchar(10)")

	rec := record(t, s, "app", tick, result{status: RunDrift, findings: []diff.Finding{email}, live: liveSnapshot("email")})
	require.Len(t, rec.Actions, 1)
	require.Equal(t, alert.OpOpen, rec.Actions[0].Op)
	require.True(t, rec.SnapshotStored)
	require.Equal(t, RunDrift, rec.Run.Status)
	require.Equal(t, 1, rec.Run.Critical)
	as, err := s.Alerts(ctx, AlertFilter{Target: "app"})
	require.NoError(t, err)
	require.Len(t, as, 1)
	require.Equal(t, alert.Open, as[0].Status)
	require.Equal(t, alert.NotifyOpened, as[0].Pending)
	require.Equal(t, tick.Add(time.Minute), as[0].FirstSeen)
	require.Equal(t, "type: varchar(10)", as[0].Actual)

	rec = record(t, s, "app", tick.Add(6*time.Hour), result{status: RunDrift, findings: []diff.Finding{email}, live: liveSnapshot("email")})
	require.Equal(t, alert.OpTouch, rec.Actions[0].Op)
	require.False(t, rec.SnapshotStored, "same schema: no new snapshot")
	got, err := s.Alert(ctx, as[0].ID)
	require.NoError(t, err)
	require.Equal(t, tick.Add(6*time.Hour+time.Minute), got.LastSeen)
	require.Equal(t, as[0].FirstSeen, got.FirstSeen)

	rec = record(t, s, "app", tick.Add(12*time.Hour), result{status: RunClean, live: liveSnapshot("email", "name")})
	require.Equal(t, alert.OpResolve, rec.Actions[0].Op)
	require.True(t, rec.SnapshotStored)
	got, err = s.Alert(ctx, as[0].ID)
	require.NoError(t, err)
	require.Equal(t, alert.Resolved, got.Status)
	require.Equal(t, alert.NotifyResolved, got.Pending)
	require.Equal(t, tick.Add(12*time.Hour+time.Minute), got.ResolvedAt)

	snaps, err := s.Snapshots(ctx, "app")
	require.NoError(t, err)
	require.Len(t, snaps, 2)
	require.Equal(t, tick.Add(12*time.Hour+time.Minute), snaps[0].FirstSeen)
	require.Equal(t, tick.Add(time.Minute), snaps[1].FirstSeen)
	require.Equal(t, tick.Add(6*time.Hour+time.Minute), snaps[1].LastSeen)
	data, err := s.Snapshot(ctx, snaps[0].ID)
	require.NoError(t, err)
	back, err := snapshot.Read(bytes.NewReader(data))
	require.NoError(t, err)
	h1, _ := back.Hash()
	require.Equal(t, snaps[0].Hash, h1, "the stored snapshot reads back to the same schema")
}

func TestRecordRunCheckErrors(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	email := finding("app", "public.users.email", diff.Critical, "type: varchar(10)")
	record(t, s, "app", tick, result{status: RunDrift, findings: []diff.Finding{email}})

	rec := record(t, s, "app", tick.Add(1*time.Hour), result{status: RunError, err: "connection refused"})
	require.Equal(t, 1, rec.Failures)
	require.Empty(t, rec.Actions, "one failure is a run error, not an alert")
	require.Equal(t, RunError, rec.Run.Status)
	require.Equal(t, "connection refused", rec.Run.Error)

	rec = record(t, s, "app", tick.Add(2*time.Hour), result{status: RunError, err: "connection refused"})
	require.Equal(t, 2, rec.Failures)
	require.Len(t, rec.Actions, 1)
	require.Equal(t, alert.KindCheckError, rec.Actions[0].Alert.Kind)

	rec = record(t, s, "app", tick.Add(3*time.Hour), result{status: RunError, err: "timeout"})
	require.Equal(t, 3, rec.Failures)
	require.Equal(t, alert.OpTouch, rec.Actions[0].Op)

	live, err := s.Alerts(ctx, AlertFilter{Target: "app", Statuses: []alert.Status{alert.Open}})
	require.NoError(t, err)
	require.Len(t, live, 2, "the drift alert is not resolved by failed checks")

	rec = record(t, s, "app", tick.Add(4*time.Hour), result{status: RunDrift, findings: []diff.Finding{email}})
	require.Equal(t, 0, rec.Failures)
	ops := map[string]alert.Op{}
	for _, a := range rec.Actions {
		ops[a.Alert.Kind] = a.Op
	}
	require.Equal(t, map[string]alert.Op{alert.KindCheckError: alert.OpResolve, "column": alert.OpTouch}, ops)

	rec = record(t, s, "app", tick.Add(5*time.Hour), result{status: RunError, err: "again"})
	require.Equal(t, 1, rec.Failures, "the count restarts after a success")
}

func TestNotificationClaims(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	email := finding("app", "public.users.email", diff.Critical, "type: varchar(10)")
	record(t, s, "app", tick, result{status: RunDrift, findings: []diff.Finding{email}})
	record(t, s, "billing", tick, result{status: RunDrift, findings: []diff.Finding{finding("billing", "public.c", diff.Warning, "x")}})
	now := tick.Add(2 * time.Minute)

	box, err := s.Outbox(ctx, []string{"app", "other"}, now)
	require.NoError(t, err)
	require.Equal(t, Outbox{Due: []string{"app"}}, box, "only the targets asked about")
	pending, err := s.PendingAlerts(ctx, []string{"app"})
	require.NoError(t, err)
	require.Len(t, pending, 1)
	require.NotEmpty(t, pending[0].NotifyKey, "every pending message has an idempotency key")
	key := pending[0].NotifyKey

	a, err := s.ClaimNotifications(ctx, "app", "A", time.Minute, now)
	require.NoError(t, err)
	require.Len(t, a, 1)
	require.Equal(t, key, a[0].Alert.NotifyKey)
	b, err := s.ClaimNotifications(ctx, "app", "B", time.Minute, now)
	require.NoError(t, err)
	require.Empty(t, b, "a claimed message is not claimed twice")

	retryAt := now.Add(10 * time.Minute)
	require.NoError(t, s.ReleaseNotifications(ctx, "A", a, "slack: 503", retryAt))
	got, err := s.Alert(ctx, a[0].Alert.ID)
	require.NoError(t, err)
	require.Equal(t, alert.NotifyOpened, got.Pending, "a failed send stays pending")
	require.Equal(t, 1, got.NotifyAttempts)
	require.Equal(t, "slack: 503", got.LastNotifyError)
	require.Equal(t, retryAt, got.RetryAt)
	require.Equal(t, key, got.NotifyKey, "a retry is the same message, with the same key")

	b, err = s.ClaimNotifications(ctx, "app", "B", time.Minute, now.Add(5*time.Minute))
	require.NoError(t, err)
	require.Empty(t, b, "a message backing off is not due yet")
	box, err = s.Outbox(ctx, []string{"app"}, now.Add(5*time.Minute))
	require.NoError(t, err)
	require.Equal(t, Outbox{Next: retryAt}, box)
	b, err = s.ClaimNotifications(ctx, "app", "B", time.Minute, retryAt)
	require.NoError(t, err)
	require.Len(t, b, 1)
	n, err := s.MarkNotified(ctx, "A", b, MessageRef{Channel: "C1", TS: "1.1"}, time.Time{})
	require.NoError(t, err)
	require.Zero(t, n, "only the claim holder can mark a message sent")
	n, err = s.MarkNotified(ctx, "B", b, MessageRef{Channel: "C1", TS: "1.1"}, time.Time{})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got, err = s.Alert(ctx, a[0].Alert.ID)
	require.NoError(t, err)
	require.Equal(t, alert.NotifyNone, got.Pending)
	require.Equal(t, "1.1", got.SlackTS)
	require.False(t, got.NotifiedAt.IsZero())
	require.Zero(t, got.RetryAt)
	box, err = s.Outbox(ctx, []string{"app"}, retryAt)
	require.NoError(t, err)
	require.Equal(t, Outbox{}, box)

	// Stale claims are taken over; a new message has a new key.
	record(t, s, "app", tick.Add(time.Hour), result{status: RunClean})
	now = tick.Add(2 * time.Hour)
	dead, err := s.ClaimNotifications(ctx, "app", "dead", time.Minute, now)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	_, err = s.pool.Exec(ctx, "UPDATE schema_drift_alerts SET claimed_at = now() - interval '5 minutes'")
	require.NoError(t, err)
	taken, err := s.ClaimNotifications(ctx, "app", "alive", time.Minute, now)
	require.NoError(t, err)
	require.Len(t, taken, 1)
	require.Equal(t, alert.NotifyResolved, taken[0].Alert.Pending)
	require.NotEqual(t, key, taken[0].Alert.NotifyKey, "the resolution is another message")
	n, err = s.MarkNotified(ctx, "alive", taken, MessageRef{Channel: "C1", TS: "2.2"}, time.Time{})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got, err = s.Alert(ctx, a[0].Alert.ID)
	require.NoError(t, err)
	require.Equal(t, "1.1", got.SlackTS, "a resolution keeps the reference of the message it resolves")
}

func TestMarkNotifiedAfterConcurrentChange(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	record(t, s, "app", tick, result{status: RunDrift, findings: []diff.Finding{finding("app", "public.users.email", diff.Critical, "type: varchar(10)")}})
	claims, err := s.ClaimNotifications(ctx, "app", "A", time.Minute, tick.Add(4*time.Hour))
	require.NoError(t, err)
	require.Len(t, claims, 1)
	// While the opening message is in flight, the next run sees the drift changed.
	record(t, s, "app", tick.Add(time.Hour), result{status: RunDrift, findings: []diff.Finding{finding("app", "public.users.email", diff.Critical, "type: varchar(20)")}})
	_, err = s.MarkNotified(ctx, "A", claims, MessageRef{}, time.Time{})
	require.NoError(t, err)
	got, err := s.Alert(ctx, claims[0].Alert.ID)
	require.NoError(t, err)
	require.Equal(t, alert.NotifyChanged, got.Pending, "the message sent was out of date: the change is still to be announced")

	// While a resolution is in flight, the drift comes back.
	claims, err = s.ClaimNotifications(ctx, "app", "A", time.Minute, tick.Add(4*time.Hour))
	require.NoError(t, err)
	_, err = s.MarkNotified(ctx, "A", claims, MessageRef{}, time.Time{})
	require.NoError(t, err)
	record(t, s, "app", tick.Add(2*time.Hour), result{status: RunClean})
	claims, err = s.ClaimNotifications(ctx, "app", "A", time.Minute, tick.Add(4*time.Hour))
	require.NoError(t, err)
	require.Equal(t, alert.NotifyResolved, claims[0].Alert.Pending)
	record(t, s, "app", tick.Add(3*time.Hour), result{status: RunDrift, findings: []diff.Finding{finding("app", "public.users.email", diff.Critical, "type: varchar(20)")}})
	_, err = s.MarkNotified(ctx, "A", claims, MessageRef{}, time.Time{})
	require.NoError(t, err)
	got, err = s.Alert(ctx, claims[0].Alert.ID)
	require.NoError(t, err)
	require.Equal(t, alert.Open, got.Status)
	require.Equal(t, alert.NotifyOpened, got.Pending, "the resolution went out, so the return must be announced")
}

func TestAckAndUnack(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	record(t, s, "app", tick, result{status: RunDrift, findings: []diff.Finding{finding("app", "public.users.email", diff.Critical, "x")}})
	as, err := s.Alerts(ctx, AlertFilter{})
	require.NoError(t, err)
	id := as[0].ID

	_, err = s.Ack(ctx, id, AckOptions{By: "alice"})
	require.ErrorContains(t, err, "reason is required")
	until := tick.Add(48 * time.Hour)
	got, err := s.Ack(ctx, id, AckOptions{By: "alice", Reason: "migration in review", Until: until})
	require.NoError(t, err)
	require.Equal(t, alert.Acknowledged, got.Status)
	require.Equal(t, "alice", got.AckBy)
	require.Equal(t, until, got.AckUntil)
	require.Equal(t, alert.NotifyNone, got.Pending, "an unsent opening message is dropped by the acknowledgement")

	rec := record(t, s, "app", tick.Add(time.Hour), result{status: RunDrift, findings: []diff.Finding{finding("app", "public.users.email", diff.Critical, "y")}})
	require.Equal(t, alert.NotifyNone, rec.Actions[0].Notify, "acknowledged: silent even when changed")

	got, err = s.Unack(ctx, id)
	require.NoError(t, err)
	require.Equal(t, alert.Open, got.Status)
	require.Empty(t, got.AckBy)
	_, err = s.Unack(ctx, id)
	require.ErrorContains(t, err, "not acknowledged")

	record(t, s, "app", tick.Add(2*time.Hour), result{status: RunClean})
	_, err = s.Ack(ctx, id, AckOptions{By: "alice", Reason: "late"})
	require.ErrorIs(t, err, ErrNotAcknowledgeable)
	_, err = s.Ack(ctx, 424242, AckOptions{By: "alice", Reason: "x"})
	require.ErrorIs(t, err, ErrNotFound)
	_, err = s.Alert(ctx, 424242)
	require.True(t, errors.Is(err, ErrNotFound))
}

func TestAlertsFilterAndStats(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	record(t, s, "app", tick, result{status: RunDrift, findings: []diff.Finding{
		finding("app", "public.a", diff.Info, "x"), finding("app", "public.b", diff.Critical, "x"),
	}})
	record(t, s, "billing", tick, result{status: RunDrift, findings: []diff.Finding{finding("billing", "public.c", diff.Warning, "x")}})
	record(t, s, "billing", tick.Add(time.Hour), result{status: RunClean})

	all, err := s.Alerts(ctx, AlertFilter{})
	require.NoError(t, err)
	require.Len(t, all, 3)
	require.Equal(t, "public.b", all[0].Object, "live and worst first")
	require.Equal(t, "public.a", all[1].Object)
	require.Equal(t, alert.Resolved, all[2].Status)

	open, err := s.Alerts(ctx, AlertFilter{Statuses: []alert.Status{alert.Open}})
	require.NoError(t, err)
	require.Len(t, open, 2)
	billing, err := s.Alerts(ctx, AlertFilter{Target: "billing"})
	require.NoError(t, err)
	require.Len(t, billing, 1)

	st, err := s.Stats(ctx)
	require.NoError(t, err)
	require.ElementsMatch(t, []AlertCount{
		{Target: "app", Severity: "critical", Status: "open", Count: 1},
		{Target: "app", Severity: "info", Status: "open", Count: 1},
	}, st.Live)
	require.Equal(t, tick.Add(time.Minute), st.LastSuccess["app"])
	require.Equal(t, tick.Add(time.Hour+time.Minute), st.LastSuccess["billing"])
}

// TestRecordRunPersistsWhatTheDeciderReturns: the store records decisions, it makes none. What
// the decider returns is stored as given, and a decider that returns nothing leaves every alert
// as it was, whatever the run found.
func TestRecordRunPersistsWhatTheDeciderReturns(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	email := finding("app", "public.users.email", diff.Critical, "type: varchar(10)")
	record(t, s, "app", tick, result{status: RunDrift, findings: []diff.Finding{email}})

	run, ok, err := s.ClaimRun(ctx, "app", tick.Add(time.Hour), "r1", time.Hour)
	require.NoError(t, err)
	require.True(t, ok)
	var seen []alert.Alert
	rec, err := s.RecordRun(ctx, run, RunOutcome{Status: RunClean, FinishedAt: tick.Add(time.Hour)},
		func(stored []alert.Alert, failures int) []alert.Action {
			seen = stored
			require.Zero(t, failures)
			return nil
		})
	require.NoError(t, err)
	require.Empty(t, rec.Actions)
	require.Len(t, seen, 1, "the decider sees the stored alerts")
	got, err := s.Alert(ctx, seen[0].ID)
	require.NoError(t, err)
	require.Equal(t, alert.Open, got.Status, "a clean run resolves nothing by itself")

	run, ok, err = s.ClaimRun(ctx, "app", tick.Add(2*time.Hour), "r1", time.Hour)
	require.NoError(t, err)
	require.True(t, ok)
	made := got
	made.Status, made.ResolvedAt = alert.Resolved, tick.Add(2*time.Hour)
	made.Pending, made.PendingReason = alert.NotifyResolved, "made up by the test"
	_, err = s.RecordRun(ctx, run, RunOutcome{Status: RunError, Error: "boom", FinishedAt: tick.Add(2 * time.Hour)},
		func(stored []alert.Alert, failures int) []alert.Action {
			require.Equal(t, 1, failures, "the store counts the failures for the decider")
			return []alert.Action{{Op: alert.OpResolve, Alert: made, Notify: alert.NotifyResolved, Reason: alert.ReasonGone}}
		})
	require.NoError(t, err)
	got, err = s.Alert(ctx, made.ID)
	require.NoError(t, err)
	require.Equal(t, alert.Resolved, got.Status)
	require.Equal(t, "made up by the test", got.PendingReason)
	require.NotEqual(t, seen[0].NotifyKey, got.NotifyKey, "a new message, a new key")

	run, ok, err = s.ClaimRun(ctx, "app", tick.Add(3*time.Hour), "r1", time.Hour)
	require.NoError(t, err)
	require.True(t, ok)
	_, err = s.RecordRun(ctx, run, RunOutcome{Status: RunClean}, func([]alert.Alert, int) []alert.Action { return nil })
	require.ErrorContains(t, err, "no finish time", "the caller's clock, not the store's")
}

func TestClaimRunReportsTheHolder(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	mine, ok, err := s.ClaimRun(ctx, "app", tick, "A", time.Hour)
	require.NoError(t, err)
	require.True(t, ok)
	held, ok, err := s.ClaimRun(ctx, "app", tick, "B", time.Hour)
	require.NoError(t, err)
	require.False(t, ok)
	require.Equal(t, mine.ID, held.ID)
	require.Equal(t, "A", held.ReplicaID)
	require.Equal(t, RunRunning, held.Status)
	require.Greater(t, held.StaleIn, 59*time.Minute)
	require.LessOrEqual(t, held.StaleIn, time.Hour)

	_, err = s.RecordRun(ctx, mine, RunOutcome{Status: RunClean, FinishedAt: tick}, func([]alert.Alert, int) []alert.Action { return nil })
	require.NoError(t, err)
	held, ok, err = s.ClaimRun(ctx, "app", tick, "B", time.Hour)
	require.NoError(t, err)
	require.False(t, ok)
	require.Equal(t, RunClean, held.Status)
	require.Zero(t, held.StaleIn, "a finished run never goes stale")
}

// TestMigrationTwoKeysPendingMessages: messages left pending by a store of version 1 get an
// idempotency key when the store is upgraded.
func TestMigrationTwoKeysPendingMessages(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDB(t)
	pgtest.Exec(t, dsn, migrations[0]+`
		CREATE TABLE drift_schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
		INSERT INTO drift_schema_version (version) VALUES (1);
		INSERT INTO schema_drift_alerts (target, fingerprint, kind, object, change, severity, status,
			first_seen_at, last_seen_at, pending_notification)
		VALUES ('app', 'fp', 'column', 'public.t.c', 'changed', 'warning', 'open', now(), now(), 'opened')`)
	ctx := context.Background()
	s, err := Open(ctx, dsn, nil)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Migrate(ctx))
	as, err := s.PendingAlerts(ctx, []string{"app"})
	require.NoError(t, err)
	require.Len(t, as, 1)
	require.NotEmpty(t, as[0].NotifyKey)
}

// TestStoreKnowsNeitherCheckNorDaemon keeps the seam: the store persists what the daemon
// decided, so it must not depend on the check or the daemon, even indirectly.
func TestStoreKnowsNeitherCheckNorDaemon(t *testing.T) {
	t.Parallel()
	const module = "github.com/drift-schema/drift/"
	seen := map[string]bool{}
	var walk func(path string)
	walk = func(path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		pkg, err := build.Import(path, ".", 0)
		require.NoError(t, err, path)
		for _, imp := range pkg.Imports {
			if strings.HasPrefix(imp, module) {
				walk(imp)
			}
		}
	}
	walk(module + "internal/store")
	require.Contains(t, seen, module+"internal/alert")
	for _, banned := range []string{"internal/check", "internal/daemon", "internal/slack"} {
		require.NotContains(t, seen, module+banned)
	}
}
