package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/diff"
)

func TestRules(t *testing.T) {
	cfg, err := parseYAML(t, `
ignore: [{kind: index, object: "public.tmp_*", reason: reporting, expires: 2027-01-01}]
severity: [{kind: column, object: "public.*", change: changed, severity: critical}]
targets: [{name: a, dsn: x}]
`, nil)
	require.NoError(t, err)
	require.Equal(t, []diff.IgnoreRule{{Kind: "index", Object: "public.tmp_*", Reason: "reporting", Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}}, IgnoreRules(cfg.Ignore))
	require.Equal(t, []diff.SeverityRule{{Kind: "column", Object: "public.*", Change: diff.Changed, Severity: diff.Critical}}, SeverityRules(cfg.Severity))
	require.Nil(t, IgnoreRules(nil))
	require.Nil(t, SeverityRules(nil))
}
