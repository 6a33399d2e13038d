package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	from := time.Date(2026, 3, 2, 12, 30, 0, 0, time.UTC)
	for spec, next := range map[string]time.Time{
		"0 */6 * * *":                      time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC),
		"30 0 */6 * * *":                   time.Date(2026, 3, 2, 18, 0, 30, 0, time.UTC),
		"@daily":                           time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC),
		"CRON_TZ=Europe/Berlin 0 14 * * *": time.Date(2026, 3, 2, 13, 0, 0, 0, time.UTC),
	} {
		s, err := Parse(spec)
		require.NoError(t, err, spec)
		require.True(t, s.Next(from).Equal(next), "%s: %s", spec, s.Next(from))
	}
	for _, bad := range []string{"", "  ", "every six hours", "61 * * * *", "@every 1h", "* * *", "CRON_TZ=Mars/Olympus 0 * * * *"} {
		_, err := Parse(bad)
		require.Error(t, err, bad)
	}
	_, err := Parse("@every 5m")
	require.ErrorContains(t, err, "replicas would disagree")
}
