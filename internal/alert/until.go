package alert

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrUntilPast: an acknowledgement would expire at once. It silences nothing, so it is refused.
var ErrUntilPast = errors.New("an acknowledgement that has already expired silences nothing")

// ParseUntil reads when an acknowledgement expires: a date (midnight UTC), an RFC 3339 time,
// or a duration from now (Go's, or a number of days: 14d). A time that is not after now is
// ErrUntilPast.
func ParseUntil(s string, now time.Time) (time.Time, error) {
	var t time.Time
	if d, err := time.Parse("2006-01-02", s); err == nil {
		t = d
	} else if d, err := time.Parse(time.RFC3339, s); err == nil {
		t = d
	} else if n, ok := strings.CutSuffix(s, "d"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		days, _ := strconv.Atoi(n)
		t = now.Add(time.Duration(days) * 24 * time.Hour)
	} else if d, err := time.ParseDuration(s); err == nil {
		t = now.Add(d)
	} else {
		return time.Time{}, fmt.Errorf("%q is not a date (2026-03-01), a time (2026-03-01T09:00:00Z) or a duration (72h, 14d)", s)
	}
	if !t.After(now) {
		return time.Time{}, fmt.Errorf("%s is in the past: %w", t.UTC().Format(time.RFC3339), ErrUntilPast)
	}
	return t, nil
}
