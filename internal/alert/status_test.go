package alert

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseStatuses(t *testing.T) {
	got, err := ParseStatuses(nil)
	require.NoError(t, err)
	require.Equal(t, []Status{Open, Acknowledged}, got, "none: the live alerts")
	got, err = ParseStatuses([]string{" Resolved", "OPEN"})
	require.NoError(t, err)
	require.Equal(t, []Status{Resolved, Open}, got)
	_, err = ParseStatuses([]string{"open", "closed"})
	require.EqualError(t, err, `must be open, acknowledged or resolved, not "closed"`)
}

func TestParseID(t *testing.T) {
	id, err := ParseID(" 42 ")
	require.NoError(t, err)
	require.EqualValues(t, 42, id)
	for _, bad := range []string{"0", "-3", "abc", "", "9223372036854775808"} {
		_, err := ParseID(bad)
		require.ErrorContains(t, err, "is not an alert ID", bad)
	}
}
