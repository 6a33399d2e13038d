package progress

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNotATerminalShowsNothing(t *testing.T) {
	var buf bytes.Buffer
	require.Nil(t, New(&buf), "a buffer is not a terminal")
	f, err := os.CreateTemp(t.TempDir(), "log")
	require.NoError(t, err)
	defer f.Close()
	l := New(f)
	require.Nil(t, l, "nor is a file")
	// A nil line is inert: the handler is the next one itself, nothing is drawn.
	next := slog.NewTextHandler(&buf, nil)
	require.Same(t, next, l.Handler(next).(*slog.TextHandler))
	l.Start("checking")
	l.Set("x")
	l.Stop()
	require.Empty(t, buf.String())
}

func TestLineOnATerminal(t *testing.T) {
	var term bytes.Buffer
	l := &Line{w: &term, width: 60}
	logger := slog.New(l.Handler(slog.NewTextHandler(&term, &slog.HandlerOptions{Level: slog.LevelWarn})))
	l.Start("checking 2 targets")
	logger.Debug("replayed migration", "target", "app", "file", "000003_orders.up.sql", "statements", 4)
	require.Contains(t, term.String(), "\r\x1b[2Kapp: replayed migration · file=000003_orders.up.sql · 0s",
		"a debug record shows on the line, though the log level hides it")
	require.NotContains(t, term.String(), "level=DEBUG")
	term.Reset()
	logger.Warn("check failed", "target", "billing")
	out := term.String()
	i := strings.Index(out, "level=WARN")
	require.Greater(t, i, 0)
	require.Contains(t, out[:i], "\r\x1b[2K", "the line is cleared before a log line")
	logger.Debug(strings.Repeat("very long message ", 20))
	last := term.String()[strings.LastIndex(term.String(), "\x1b[2K")+4:]
	require.LessOrEqual(t, len([]rune(last)), 60, "cut to the terminal's width")
	l.Stop()
	require.True(t, strings.HasSuffix(term.String(), "\r\x1b[2K"), "stopping clears the line")
}
