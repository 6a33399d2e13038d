package redact

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"dial postgres://app:hunter2@db:5432/app failed", "dial postgres://app:<secret>@db:5432/app failed"},
		{"host=db user=app password=hunter2 dbname=x", "host=db user=app password=<secret> dbname=x"},
		{"host=db password='a b c' dbname=x", "host=db password=<secret> dbname=x"},
		{"post to https://hooks.slack.com/services/T0/B0/XYZ failed", "post to <secret> failed"},
		{"no secret here", "no secret here"},
		{"postgres//app:hunter2@db/app", "postgres//app:<secret>@db/app"},
		{"postgres:/app:hunter2@db/app", "postgres:/app:<secret>@db/app"},
		{"POSTGRES://app:hunter2@db/app", "POSTGRES://app:<secret>@db/app"},
		{"postgres://app:p@ss@word@db/app", "postgres://app:<secret>@db/app"},
		{"jdbc:postgresql://db/app?user=app&password=hunter2", "jdbc:postgresql://db/app?user=app&password=<secret>"},
		{"SELECT dblink_connect('postgres://etl:Sw0rdfish99@db/x')", "SELECT dblink_connect('postgres://etl:<secret>@db/x')"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, String(c.in, "https://hooks.slack.com/services/T0/B0/XYZ"))
	}
	require.Equal(t, "token <secret> rejected", String("token xoxb-123-abc rejected", "xoxb-123-abc"))
	require.Equal(t, "dsn with p%40ss", String("dsn with p%40ss", "ab"), "short strings are not treated as secrets")
	require.Equal(t, "bad <secret>", String("bad p%40ssw0rd", "p@ssw0rd"), "URL-escaped form is removed too")
}

func TestErrorKeepsChain(t *testing.T) {
	err := Error(errors.Join(io.EOF, errors.New("postgres://u:pw12@h/d")))
	require.ErrorIs(t, err, io.EOF)
	require.NotContains(t, err.Error(), "pw12")
	require.Same(t, io.EOF, Error(io.EOF))
}

func TestRedactorHandlerScrubsEveryRecord(t *testing.T) {
	var buf bytes.Buffer
	r := New("xoxb-token-123", "").With("https://hooks.slack.com/services/T/B/C")
	log := slog.New(r.Handler(slog.NewTextHandler(&buf, nil))).With("dsn", "postgres://u:topsecret1@h/d")
	log.Info("posting with xoxb-token-123", "url", "https://hooks.slack.com/services/T/B/C",
		"error", errors.New("dial postgres://u:pw1234@h/d: refused"),
		slog.Group("g", "inner", "password=hunter22 host=x"), "n", 3, "stringer", struct{ S string }{"xoxb-token-123"})
	out := buf.String()
	for _, secret := range []string{"xoxb-token-123", "hooks.slack.com", "topsecret1", "pw1234", "hunter22"} {
		require.NotContains(t, out, secret)
	}
	require.Contains(t, out, "n=3")
	require.Equal(t, "a <secret> b", r.String("a xoxb-token-123 b"))
	require.Equal(t, "postgres://u:<secret>@h", (*Redactor)(nil).String("postgres://u:pw1234@h"))
	require.NotContains(t, r.Error(errors.New("xoxb-token-123")).Error(), "xoxb")
}

// TestLongestSecretFirst: a secret that contains another is removed whole.
func TestLongestSecretFirst(t *testing.T) {
	r := New("abcd", "xxabcdyy")
	require.Equal(t, "<secret> and <secret>", r.String("xxabcdyy and abcd"))
	require.Equal(t, "PASSWORD=<secret> x", r.String("PASSWORD=hunter22 x"))
	require.Equal(t, "PaSsWoRd = <secret>", r.String("PaSsWoRd = hunter22"))
}

// BenchmarkRedactorManySecrets: a daemon with a secret per target redacts a stored snapshot
// value by value; the secrets are prepared once, not per value.
func BenchmarkRedactorManySecrets(b *testing.B) {
	var secrets []string
	for i := range 100 {
		secrets = append(secrets, fmt.Sprintf("postgres://app:pw%04d@db%03d.internal/app", i, i))
	}
	r := New(secrets...)
	for b.Loop() {
		_ = r.String("CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$")
	}
}
