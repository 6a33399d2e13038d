package alert

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseStatuses reads statuses as people type them (any case, spaces around); none means the
// live ones, open and acknowledged.
func ParseStatuses(in []string) ([]Status, error) {
	var out []Status
	for _, s := range in {
		st := Status(strings.ToLower(strings.TrimSpace(s)))
		switch st {
		case Open, Acknowledged, Resolved:
		default:
			return nil, fmt.Errorf("must be open, acknowledged or resolved, not %q", s)
		}
		out = append(out, st)
	}
	if len(out) == 0 {
		out = []Status{Open, Acknowledged}
	}
	return out, nil
}

// ParseID reads an alert's ID as drift alerts list prints it.
func ParseID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%q is not an alert ID (see `drift alerts list`)", s)
	}
	return id, nil
}
