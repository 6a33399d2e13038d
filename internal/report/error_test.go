package report

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/redact"
)

func TestJSONError(t *testing.T) {
	var red *redact.Redactor
	red = red.With("hunter2")
	var b bytes.Buffer
	require.NoError(t, JSONError(&b, errors.New("boom"), "boom", 2, red))
	require.JSONEq(t, `{"error": {"message": "boom", "exit_code": 2}}`, b.String())

	b.Reset()
	cerr := &config.Error{File: "drift.yaml", Problems: []config.Problem{{Line: 3, Key: "targets[0].dsn", Message: "bad dsn hunter2"}}}
	require.NoError(t, JSONError(&b, fmt.Errorf("loading: %w", cerr), "loading: bad", 2, red))
	require.JSONEq(t, `{"error": {"message": "loading: bad", "exit_code": 2, "file": "drift.yaml",
		"problems": [{"line": 3, "key": "targets[0].dsn", "message": "bad dsn <secret>"}]}}`, b.String())
}

func TestFormat(t *testing.T) {
	results := fixture()
	for format, want := range map[string]func(*bytes.Buffer) error{
		"json":     func(b *bytes.Buffer) error { return JSON(b, results) },
		"markdown": func(b *bytes.Buffer) error { return Markdown(b, results) },
		"text":     func(b *bytes.Buffer) error { return Text(b, results, TextOptions{Verbose: true}) },
	} {
		var got, expected bytes.Buffer
		require.NoError(t, Format(&got, format, results, TextOptions{Verbose: true}), format)
		require.NoError(t, want(&expected), format)
		require.Equal(t, expected.String(), got.String(), format)
	}
}

func TestParseFormat(t *testing.T) {
	f, err := ParseFormat(" JSON ")
	require.NoError(t, err)
	require.Equal(t, "json", f)
	_, err = ParseFormat("yaml")
	require.EqualError(t, err, `--format must be text, json or markdown, not "yaml"`)
	_, err = ParseFormat("markdown", "text", "json")
	require.EqualError(t, err, `--format must be text or json, not "markdown"`)
}
