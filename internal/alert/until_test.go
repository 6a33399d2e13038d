package alert

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseUntil(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-03-05":           time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
		"2026-03-02T13:00:00Z": now.Add(time.Hour),
		"72h":                  now.Add(72 * time.Hour),
		"14d":                  now.Add(14 * 24 * time.Hour),
	} {
		got, err := ParseUntil(in, now)
		require.NoError(t, err, in)
		require.True(t, want.Equal(got), "%s: %s", in, got)
	}
	_, err := ParseUntil("-1h", now)
	require.ErrorIs(t, err, ErrUntilPast)
	_, err = ParseUntil("2020-01-01", now)
	require.EqualError(t, err, "2020-01-01T00:00:00Z is in the past: an acknowledgement that has already expired silences nothing")
	_, err = ParseUntil("soon", now)
	require.EqualError(t, err, `"soon" is not a date (2026-03-01), a time (2026-03-01T09:00:00Z) or a duration (72h, 14d)`)
}
