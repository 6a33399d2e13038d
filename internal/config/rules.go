package config

import "github.com/drift-schema/drift/internal/diff"

// IgnoreRules turns ignore settings into the differ's rules, in order.
func IgnoreRules(in []Ignore) []diff.IgnoreRule {
	var out []diff.IgnoreRule
	for _, r := range in {
		out = append(out, diff.IgnoreRule{Kind: r.Kind, Object: r.Object, Reason: r.Reason, Expires: r.Expires.Time})
	}
	return out
}

// SeverityRules turns severity settings into the differ's rules, in order.
func SeverityRules(in []Severity) []diff.SeverityRule {
	var out []diff.SeverityRule
	for _, r := range in {
		out = append(out, diff.SeverityRule{Kind: r.Kind, Object: r.Object, Change: diff.Change(r.Change), Severity: diff.Severity(r.Severity)})
	}
	return out
}
