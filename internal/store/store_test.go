package store

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/check"
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
	s, err := Open(ctx, dsn, nil)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	require.NoError(t, s.Migrate(ctx))
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

// record claims and records one run of target at the given tick.
func record(t *testing.T, s *Store, target string, at time.Time, res check.Result) Recorded {
	t.Helper()
	ctx := context.Background()
	run, ok, err := s.ClaimRun(ctx, target, at, "r1", time.Hour)
	require.NoError(t, err)
	require.True(t, ok)
	rec, err := s.RecordResult(ctx, run, res, RecordOptions{Now: at.Add(time.Minute)})
	require.NoError(t, err)
	return rec
}

func TestMigrateConcurrentlyAppliesOnce(t *testing.T) {
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
	s, _ := newStore(t)
	ctx := context.Background()
	_, err := s.pool.Exec(ctx, "INSERT INTO drift_schema_version (version) VALUES (99)")
	require.NoError(t, err)
	require.ErrorContains(t, s.Migrate(ctx), "version 99")
}

func TestOpenErrorHidesPassword(t *testing.T) {
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

	_, err = s.RecordResult(ctx, dead, check.Result{Status: check.StatusClean}, RecordOptions{})
	require.ErrorIs(t, err, ErrRunLost, "the dead replica, were it to wake up, must not record")
	rec, err := s.RecordResult(ctx, run, check.Result{Status: check.StatusClean}, RecordOptions{})
	require.NoError(t, err)
	require.Equal(t, RunStatus(check.StatusClean), rec.Run.Status)

	_, ok, err = s.ClaimRun(ctx, "app", tick, "third", 0)
	require.NoError(t, err)
	require.False(t, ok, "a finished run is never claimed again")
}

func TestClaimRunAbandonsEarlierStaleRuns(t *testing.T) {
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

func TestRecordResultLifecycle(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	email := finding("app", "public.users.email", diff.Critical, "type: varchar(10)")

	rec := record(t, s, "app", tick, check.Result{Status: check.StatusDrift, Findings: []diff.Finding{email}, Actual: liveSnapshot("email")})
	require.Len(t, rec.Actions, 1)
	require.Equal(t, alert.OpOpen, rec.Actions[0].Op)
	require.True(t, rec.SnapshotStored)
	require.Equal(t, RunStatus(check.StatusDrift), rec.Run.Status)
	require.Equal(t, 1, rec.Run.Critical)
	as, err := s.Alerts(ctx, AlertFilter{Target: "app"})
	require.NoError(t, err)
	require.Len(t, as, 1)
	require.Equal(t, alert.Open, as[0].Status)
	require.Equal(t, alert.NotifyOpened, as[0].Pending)
	require.Equal(t, tick.Add(time.Minute), as[0].FirstSeen)
	require.Equal(t, "type: varchar(10)", as[0].Actual)

	rec = record(t, s, "app", tick.Add(6*time.Hour), check.Result{Status: check.StatusDrift, Findings: []diff.Finding{email}, Actual: liveSnapshot("email")})
	require.Equal(t, alert.OpTouch, rec.Actions[0].Op)
	require.False(t, rec.SnapshotStored, "same schema: no new snapshot")
	got, err := s.Alert(ctx, as[0].ID)
	require.NoError(t, err)
	require.Equal(t, tick.Add(6*time.Hour+time.Minute), got.LastSeen)
	require.Equal(t, as[0].FirstSeen, got.FirstSeen)

	rec = record(t, s, "app", tick.Add(12*time.Hour), check.Result{Status: check.StatusClean, Actual: liveSnapshot("email", "name")})
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
	back, err := s.Snapshot(ctx, snaps[0].ID)
	require.NoError(t, err)
	h1, _ := back.Hash()
	require.Equal(t, snaps[0].Hash, h1, "the stored snapshot reads back to the same schema")
}

func TestRecordResultCheckErrors(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	email := finding("app", "public.users.email", diff.Critical, "type: varchar(10)")
	record(t, s, "app", tick, check.Result{Status: check.StatusDrift, Findings: []diff.Finding{email}})

	rec := record(t, s, "app", tick.Add(1*time.Hour), check.Result{Status: check.StatusError, Error: "connection refused"})
	require.Equal(t, 1, rec.Failures)
	require.Empty(t, rec.Actions, "one failure is a run error, not an alert")
	require.Equal(t, RunStatus(check.StatusError), rec.Run.Status)
	require.Equal(t, "connection refused", rec.Run.Error)

	rec = record(t, s, "app", tick.Add(2*time.Hour), check.Result{Status: check.StatusError, Error: "connection refused"})
	require.Equal(t, 2, rec.Failures)
	require.Len(t, rec.Actions, 1)
	require.Equal(t, alert.KindCheckError, rec.Actions[0].Alert.Kind)

	rec = record(t, s, "app", tick.Add(3*time.Hour), check.Result{Status: check.StatusError, Error: "timeout"})
	require.Equal(t, 3, rec.Failures)
	require.Equal(t, alert.OpTouch, rec.Actions[0].Op)

	live, err := s.Alerts(ctx, AlertFilter{Target: "app", Statuses: []alert.Status{alert.Open}})
	require.NoError(t, err)
	require.Len(t, live, 2, "the drift alert is not resolved by failed checks")

	rec = record(t, s, "app", tick.Add(4*time.Hour), check.Result{Status: check.StatusDrift, Findings: []diff.Finding{email}})
	require.Equal(t, 0, rec.Failures)
	ops := map[string]alert.Op{}
	for _, a := range rec.Actions {
		ops[a.Alert.Kind] = a.Op
	}
	require.Equal(t, map[string]alert.Op{alert.KindCheckError: alert.OpResolve, "column": alert.OpTouch}, ops)

	rec = record(t, s, "app", tick.Add(5*time.Hour), check.Result{Status: check.StatusError, Error: "again"})
	require.Equal(t, 1, rec.Failures, "the count restarts after a success")
}

func TestNotificationClaims(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	email := finding("app", "public.users.email", diff.Critical, "type: varchar(10)")
	record(t, s, "app", tick, check.Result{Status: check.StatusDrift, Findings: []diff.Finding{email}})

	targets, err := s.PendingTargets(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"app"}, targets)

	a, err := s.ClaimNotifications(ctx, "app", "A", time.Minute)
	require.NoError(t, err)
	require.Len(t, a, 1)
	b, err := s.ClaimNotifications(ctx, "app", "B", time.Minute)
	require.NoError(t, err)
	require.Empty(t, b, "a claimed message is not claimed twice")

	require.NoError(t, s.ReleaseNotifications(ctx, "A", a, "slack: 503"))
	got, err := s.Alert(ctx, a[0].Alert.ID)
	require.NoError(t, err)
	require.Equal(t, alert.NotifyOpened, got.Pending, "a failed send stays pending")
	require.Equal(t, 1, got.NotifyAttempts)
	require.Equal(t, "slack: 503", got.LastNotifyError)

	b, err = s.ClaimNotifications(ctx, "app", "B", time.Minute)
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
	targets, err = s.PendingTargets(ctx)
	require.NoError(t, err)
	require.Empty(t, targets)

	// Stale claims are taken over.
	record(t, s, "app", tick.Add(time.Hour), check.Result{Status: check.StatusClean})
	dead, err := s.ClaimNotifications(ctx, "app", "dead", time.Minute)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	_, err = s.pool.Exec(ctx, "UPDATE schema_drift_alerts SET claimed_at = now() - interval '5 minutes'")
	require.NoError(t, err)
	taken, err := s.ClaimNotifications(ctx, "app", "alive", time.Minute)
	require.NoError(t, err)
	require.Len(t, taken, 1)
	require.Equal(t, alert.NotifyResolved, taken[0].Alert.Pending)
	n, err = s.MarkNotified(ctx, "alive", taken, MessageRef{Channel: "C1", TS: "2.2"}, time.Time{})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got, err = s.Alert(ctx, a[0].Alert.ID)
	require.NoError(t, err)
	require.Equal(t, "1.1", got.SlackTS, "a resolution keeps the reference of the message it resolves")
}

func TestMarkNotifiedAfterConcurrentChange(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	record(t, s, "app", tick, check.Result{Status: check.StatusDrift, Findings: []diff.Finding{finding("app", "public.users.email", diff.Critical, "type: varchar(10)")}})
	claims, err := s.ClaimNotifications(ctx, "app", "A", time.Minute)
	require.NoError(t, err)
	require.Len(t, claims, 1)
	// While the opening message is in flight, the next run sees the drift changed.
	record(t, s, "app", tick.Add(time.Hour), check.Result{Status: check.StatusDrift, Findings: []diff.Finding{finding("app", "public.users.email", diff.Critical, "type: varchar(20)")}})
	_, err = s.MarkNotified(ctx, "A", claims, MessageRef{}, time.Time{})
	require.NoError(t, err)
	got, err := s.Alert(ctx, claims[0].Alert.ID)
	require.NoError(t, err)
	require.Equal(t, alert.NotifyChanged, got.Pending, "the message sent was out of date: the change is still to be announced")

	// While a resolution is in flight, the drift comes back.
	claims, err = s.ClaimNotifications(ctx, "app", "A", time.Minute)
	require.NoError(t, err)
	_, err = s.MarkNotified(ctx, "A", claims, MessageRef{}, time.Time{})
	require.NoError(t, err)
	record(t, s, "app", tick.Add(2*time.Hour), check.Result{Status: check.StatusClean})
	claims, err = s.ClaimNotifications(ctx, "app", "A", time.Minute)
	require.NoError(t, err)
	require.Equal(t, alert.NotifyResolved, claims[0].Alert.Pending)
	record(t, s, "app", tick.Add(3*time.Hour), check.Result{Status: check.StatusDrift, Findings: []diff.Finding{finding("app", "public.users.email", diff.Critical, "type: varchar(20)")}})
	_, err = s.MarkNotified(ctx, "A", claims, MessageRef{}, time.Time{})
	require.NoError(t, err)
	got, err = s.Alert(ctx, claims[0].Alert.ID)
	require.NoError(t, err)
	require.Equal(t, alert.Open, got.Status)
	require.Equal(t, alert.NotifyOpened, got.Pending, "the resolution went out, so the return must be announced")
}

func TestAckAndUnack(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	record(t, s, "app", tick, check.Result{Status: check.StatusDrift, Findings: []diff.Finding{finding("app", "public.users.email", diff.Critical, "x")}})
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

	rec := record(t, s, "app", tick.Add(time.Hour), check.Result{Status: check.StatusDrift, Findings: []diff.Finding{finding("app", "public.users.email", diff.Critical, "y")}})
	require.Equal(t, alert.NotifyNone, rec.Actions[0].Notify, "acknowledged: silent even when changed")

	got, err = s.Unack(ctx, id)
	require.NoError(t, err)
	require.Equal(t, alert.Open, got.Status)
	require.Empty(t, got.AckBy)
	_, err = s.Unack(ctx, id)
	require.ErrorContains(t, err, "not acknowledged")

	record(t, s, "app", tick.Add(2*time.Hour), check.Result{Status: check.StatusClean})
	_, err = s.Ack(ctx, id, AckOptions{By: "alice", Reason: "late"})
	require.ErrorIs(t, err, ErrNotAcknowledgeable)
	_, err = s.Ack(ctx, 424242, AckOptions{By: "alice", Reason: "x"})
	require.ErrorIs(t, err, ErrNotFound)
	_, err = s.Alert(ctx, 424242)
	require.True(t, errors.Is(err, ErrNotFound))
}

func TestAlertsFilterAndStats(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	record(t, s, "app", tick, check.Result{Status: check.StatusDrift, Findings: []diff.Finding{
		finding("app", "public.a", diff.Info, "x"), finding("app", "public.b", diff.Critical, "x"),
	}})
	record(t, s, "billing", tick, check.Result{Status: check.StatusDrift, Findings: []diff.Finding{finding("billing", "public.c", diff.Warning, "x")}})
	record(t, s, "billing", tick.Add(time.Hour), check.Result{Status: check.StatusClean})

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
