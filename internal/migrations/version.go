package migrations

import "strings"

// CompareVersions orders two migration versions numerically: the digit runs of each version are
// compared as integers, left to right, so "2" < "10", "1.1" < "1.2" < "1.10" and
// "20251120_143000" < "20251121_090000". Any non-digit characters separate parts. Missing
// trailing parts count as zero, so "1.1" equals "1.1.0" (Flyway treats them as the same
// version). Integers of any length are compared without overflow, so timestamps are safe.
//
// It returns -1, 0 or +1.
func CompareVersions(a, b string) int {
	pa, pb := versionParts(a), versionParts(b)
	n := max(len(pa), len(pb))
	for i := range n {
		x, y := "0", "0"
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		if c := compareDigits(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// versionParts splits a version into its runs of digits, each without leading zeros ("0" for
// a run of zeros).
func versionParts(v string) []string {
	var parts []string
	start := -1
	for i := 0; i <= len(v); i++ {
		digit := i < len(v) && v[i] >= '0' && v[i] <= '9'
		if digit && start < 0 {
			start = i
		}
		if !digit && start >= 0 {
			p := strings.TrimLeft(v[start:i], "0")
			if p == "" {
				p = "0"
			}
			parts = append(parts, p)
			start = -1
		}
	}
	return parts
}

// compareDigits compares two digit strings without leading zeros as integers.
func compareDigits(x, y string) int {
	if len(x) != len(y) {
		if len(x) < len(y) {
			return -1
		}
		return 1
	}
	return strings.Compare(x, y)
}

// validVersion reports whether v has at least one digit, i.e. can be compared at all.
func validVersion(v string) bool { return len(versionParts(v)) > 0 }
