package snapshot

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestAttrs(t *testing.T) {
	a := NewAttrs("type", "text", "not_null", "true", "default", "''::text")
	require.Equal(t, Attrs{{"default", "''::text"}, {"not_null", "true"}, {"type", "text"}}, a)
	require.Equal(t, 3, a.Len())
	require.Equal(t, []string{"default", "not_null", "type"}, a.Names())

	v, ok := a.Get("not_null")
	require.True(t, ok)
	require.Equal(t, "true", v)
	_, ok = a.Get("collation")
	require.False(t, ok)
	require.Equal(t, "", a.Value("collation"))
	require.True(t, a.Has("type"))
	require.False(t, a.Has("typ"))

	a.Set("position", "2")
	a.Set("type", "integer")
	a.Set("a", "first")
	require.Equal(t, Attrs{{"a", "first"}, {"default", "''::text"}, {"not_null", "true"}, {"position", "2"}, {"type", "integer"}}, a)

	c := a.Clone()
	c.Set("type", "bigint")
	require.Equal(t, "integer", a.Value("type"), "a clone is independent")

	a.Delete("default")
	a.Delete("nope")
	require.Equal(t, []string{"a", "not_null", "position", "type"}, a.Names())
	for _, n := range a.Names() {
		a.Delete(n)
	}
	require.Nil(t, a)

	require.Equal(t, NewAttrs("x", "2"), NewAttrs("x", "1", "x", "2"), "the last value wins")
	require.Nil(t, NewAttrs())
	require.Nil(t, AttrsOf(nil))
	m := map[string]string{"b": "2", "a": "1", "c": "3"}
	require.Equal(t, Attrs{{"a", "1"}, {"b", "2"}, {"c", "3"}}, AttrsOf(m))
	require.Equal(t, m, AttrsOf(m).Map())
	require.Nil(t, Attrs(nil).Map())
	require.Panics(t, func() { NewAttrs("odd") })
}

func TestAttrsJSON(t *testing.T) {
	data, err := json.Marshal(Attrs{{"z", "<1>"}, {"a", "2"}})
	require.NoError(t, err)
	require.Equal(t, `{"a":"2","z":"\u003c1\u003e"}`, string(data), "sorted, and encoding/json's escaping applies")
	data, err = json.Marshal(struct {
		A Attrs `json:"a,omitempty"`
		B Attrs `json:"b"`
	}{})
	require.NoError(t, err)
	require.Equal(t, `{"b":null}`, string(data))

	cases := []struct {
		in   string
		want Attrs
	}{
		{`{"b": "2", "a":"1"}`, Attrs{{"a", "1"}, {"b", "2"}}},
		{` { } `, Attrs{}},
		{`null`, nil},
		{`{"a":"1","a":"2"}`, Attrs{{"a", "2"}}},
		{`{"k\"q":"line\nnext \u2028 \ud83d\ude00"}`, Attrs{{"k\"q", "line\nnext \u2028 😀"}}},
		{`{"x":"caf` + "\xff" + `"}`, Attrs{{"x", "caf\ufffd"}}},
		{`{"é":"ü","\/":"\t"}`, Attrs{{"/", "\t"}, {"é", "ü"}}},
	}
	for _, tc := range cases {
		var got Attrs
		require.NoError(t, json.Unmarshal([]byte(tc.in), &got), tc.in)
		require.Equal(t, tc.want, got, tc.in)
		var m map[string]string
		require.NoError(t, json.Unmarshal([]byte(tc.in), &m))
		require.Equal(t, AttrsOf(m), AttrsOf(got.Map()), "decodes like a map: %s", tc.in)
	}
	var got Attrs
	require.Error(t, json.Unmarshal([]byte(`{"a":1}`), &got))
	require.Error(t, json.Unmarshal([]byte(`["a"]`), &got))
}

func TestNormalize(t *testing.T) {
	s := New(EnginePostgres)
	s.Add(Object{Kind: "table", Key: MustKey("public.b")})
	s.Add(Object{Kind: "column", Key: MustKey("public.b.x"), Parent: MustKey("public.b"), Attrs: Attrs{{"type", "text"}, {"not_null", "true"}}})
	s.Add(Object{Kind: "table", Key: MustKey("public.a"), Attrs: Attrs{}})
	s.Unsupported = []Unsupported{{Kind: "rule", Name: "z"}, {Kind: "rule", Name: "a"}, {Kind: "rule", Name: "a"}}
	require.NoError(t, s.Normalize())
	var ids []string
	for _, o := range s.Objects {
		ids = append(ids, o.Kind+" "+o.Key.String())
	}
	require.Equal(t, []string{"column public.b.x", "table public.a", "table public.b"}, ids)
	require.Equal(t, []string{"not_null", "type"}, s.Objects[0].Attrs.Names())
	require.Nil(t, s.Objects[1].Attrs)
	require.Equal(t, []Unsupported{{Kind: "rule", Name: "a"}, {Kind: "rule", Name: "z"}}, s.Unsupported, "sorted, duplicates dropped")

	s.Add(Object{Kind: "table", Key: MustKey("public.a")})
	require.ErrorContains(t, s.Normalize(), `duplicate table "public.a"`)

	d := New(EnginePostgres)
	d.Add(Object{Kind: "column", Key: MustKey("public.t.c"), Attrs: Attrs{{"type", "a"}, {"type", "b"}}})
	require.ErrorContains(t, d.Normalize(), `column "public.t.c": attribute "type" given twice`)
	_, err := d.Marshal()
	require.Error(t, err)
}

func TestDefinition(t *testing.T) {
	require.Equal(t, "CREATE INDEX i ON t (x)", Object{Attrs: NewAttrs("definition", "CREATE INDEX i ON t (x)")}.Definition())
	o := Object{Attrs: NewAttrs("type", "text", "not_null", "true", "position", "3")}
	require.Equal(t, "not_null: true\nposition: 3\ntype: text", o.Definition())
	require.Equal(t, "not_null: true\ntype: text", o.Definition("position"))
	require.Equal(t, "", Object{}.Definition())
}

func TestReadRoundTrip(t *testing.T) {
	s := awkwardSnapshot()
	// Invalid UTF-8 comes back as U+FFFD, as it always did; the round trip is for valid text.
	kept := s.Objects[:0]
	for _, o := range s.Objects {
		if utf8.ValidString(o.Key.String()) && utf8.ValidString(o.Parent.String()) && utf8.ValidString(strings.Join(o.Attrs.Names(), "")+o.Definition()) {
			kept = append(kept, o)
		}
	}
	s.Objects = kept
	s.Unsupported = []Unsupported{{Kind: "a\tb", Name: "m \u2029"}}
	data, err := s.Marshal()
	require.NoError(t, err)
	back, err := Read(strings.NewReader(string(data)))
	require.NoError(t, err)
	require.Equal(t, s, back)
	again, err := back.Marshal()
	require.NoError(t, err)
	require.Equal(t, data, again)

	path := filepath.Join(t.TempDir(), "s.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	fromFile, err := ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, s, fromFile)
}

func TestReadRejects(t *testing.T) {
	for in, msg := range map[string]string{
		`{"format_version":3,"engine":"postgres","source":{"kind":"live"},"objects":{}}`:                                              "format version 3",
		`{"format_version":2,"engine":"postgres","source":{"kind":"live"},"objects":[]}`:                                              "expected '{'",
		`{"format_version":1,"source":{"kind":"live"},"objects":[]}`:                                                                  "no engine",
		`{"format_version":1,"engine":"postgres","source":{"kind":"live"},"objects":[],"extra":1}`:                                    "unknown field",
		`{"format_version":1,"engine":"postgres","source":{"kind":"live"},"objects":[{"kind":"t","key":"a"},{"kind":"t","key":"a"}]}`: "duplicate",
		`{"format_version":1,"engine":"postgres","source":{"kind":"live"},"objects":[{"kind":"t","key":"a","attrs":{"x":1}}]}`:        "cannot unmarshal",
		`{"format_version":1,"engine":"postgres","source":{"kind":"live"},"objects":[{"kind":"","key":"a"}]}`:                         "no kind or no key",
		`{"format_version":1,"engine":"postgres","source":{"kind":"live"},"objects":[{"kind":"t","key":""}]}`:                         "key",
		`{"format_version":1,"engine":"postgres","source":{"kind":"live"},"objects":[{"kind":"t","key":"a.b.c.d"}]}`:                  "parts",
		`[1, 2]`: "not a drift snapshot",
	} {
		_, err := Read(strings.NewReader(in))
		require.ErrorContains(t, err, msg, in)
	}
	dir := t.TempDir()
	_, err := ReadFile(filepath.Join(dir, "missing.json"))
	require.ErrorContains(t, err, "missing.json: no such file")
	big := filepath.Join(dir, "big.json")
	require.NoError(t, os.WriteFile(big, make([]byte, 2048), 0o644))
	_, err = ReadFileLimit(big, 1024)
	require.ErrorContains(t, err, "is 2048 bytes, more than the 1024")
	_, err = ReadFile(dir)
	require.ErrorContains(t, err, "not a regular file")
}

// BenchmarkEncode measures the encoder on a snapshot shaped like a large introspected schema.
func BenchmarkEncode(b *testing.B) {
	s := New(EnginePostgres)
	for i := 0; i < 20000; i++ {
		table := fmt.Sprintf("app.t%05d", i)
		s.Add(Object{Kind: "privilege", Key: MustKey(table + ":<owner>:SELECT"), Parent: MustKey(table),
			Attrs: NewAttrs("on", table, "on_kind", "table", "grantee", "<owner>", "privilege", "SELECT", "grantable", "false")})
		s.Add(Object{Kind: "index", Key: MustKey(table + "_idx"), Parent: MustKey(table),
			Attrs: NewAttrs("definition", "CREATE INDEX t_idx ON "+table+" USING btree (created_at DESC) WHERE (deleted_at IS NULL)", "valid", "true")})
	}
	require.NoError(b, s.Normalize())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := encodeNormalized(discard{}, s); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
