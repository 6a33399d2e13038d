// Package schedule parses drift's cron schedules, in one place, so that `drift check` rejects a
// schedule the daemon would refuse (a typo in the config is found before release, not when the
// daemon restarts) and the daemon runs exactly what was validated.
package schedule

import (
	"errors"
	"fmt"
	"strings"

	"github.com/robfig/cron/v3"
)

// parser accepts five-field and six-field (seconds first) expressions, descriptors such as
// @hourly, and a CRON_TZ=Area/City prefix.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// errEvery explains why @every is refused.
var errEvery = errors.New("@every is relative to each process's start, so replicas would disagree on the tick; use a cron expression such as \"0 */6 * * *\"")

// Parse parses a schedule as the daemon runs it. Its errors do not repeat the expression: the
// caller names the setting it came from.
func Parse(spec string) (cron.Schedule, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, errors.New("empty schedule")
	}
	if strings.Contains(spec, "@every") {
		return nil, errEvery
	}
	s, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("not a cron schedule (five fields \"minute hour day month weekday\", six with seconds first, or @hourly, @daily, …): %w", err)
	}
	return s, nil
}
