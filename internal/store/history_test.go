package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/diff"
)

func TestRunHistoryAndLatestRuns(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	email := finding("app", "public.users.email", diff.Critical, "type: varchar(10)")
	for i := range 4 {
		record(t, s, "app", tick.Add(time.Duration(i)*time.Hour), result{status: RunDrift, findings: []diff.Finding{email}, live: liveSnapshot("email")})
	}
	record(t, s, "billing", tick, result{status: RunError, err: "connecting: refused"})
	_, ok, err := s.ClaimRun(ctx, "billing", tick.Add(time.Hour), "r2", time.Hour)
	require.NoError(t, err)
	require.True(t, ok)

	runs, err := s.RunHistory(ctx, RunFilter{PerTarget: 2})
	require.NoError(t, err)
	require.Len(t, runs, 4, "two per target")
	require.Equal(t, "app", runs[0].Target)
	require.Equal(t, tick.Add(3*time.Hour), runs[0].ScheduledFor, "newest first")
	require.Equal(t, RunDrift, runs[0].Status)
	require.Equal(t, 1, runs[0].Critical)
	require.Equal(t, time.Minute, runs[0].FinishedAt.Sub(runs[0].ScheduledFor))
	require.Equal(t, "billing", runs[2].Target)
	require.Equal(t, RunRunning, runs[2].Status)
	require.Equal(t, "connecting: refused", runs[3].Error)

	runs, err = s.RunHistory(ctx, RunFilter{Targets: []string{"app"}, Since: tick.Add(2 * time.Hour)})
	require.NoError(t, err)
	require.Len(t, runs, 2)

	latest, err := s.LatestRuns(ctx, []string{"app", "billing", "nobody"})
	require.NoError(t, err)
	require.Len(t, latest, 2)
	require.Equal(t, tick.Add(3*time.Hour), latest["app"].ScheduledFor)
	require.Equal(t, RunRunning, latest["billing"].Status, "a run in progress is the latest")
}

func TestSkipNotifications(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := context.Background()
	c := finding("app", "public.users", diff.Info, "text: users")
	c.Kind = "comment"
	record(t, s, "app", tick, result{status: RunDrift, findings: []diff.Finding{c}, live: liveSnapshot()})
	claims, err := s.ClaimNotifications(ctx, "app", "r1", time.Minute, tick.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, claims, 1)
	n, err := s.SkipNotifications(ctx, "r1", claims)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	a, err := s.Alert(ctx, claims[0].Alert.ID)
	require.NoError(t, err)
	require.Equal(t, alert.NotifyNone, a.Pending, "nothing left to send")
	require.True(t, a.NotifiedAt.IsZero(), "but it never counts as announced")
	require.Equal(t, alert.Open, a.Status, "the alert itself stays open")
}

func TestSessionsSayTheyAreDrift(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	var name string
	require.NoError(t, s.pool.QueryRow(context.Background(), "SELECT current_setting('application_name')").Scan(&name))
	require.Equal(t, "drift", name)
}
