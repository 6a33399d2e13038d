package snapshot

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The snapshot format was defined by encoding/json rendering these structures (attributes as a
// map). The hand-written encoder must give the same bytes, so these mirror types are what the
// tests compare against.
type jsonSnapshot struct {
	FormatVersion    int           `json:"format_version"`
	Target           string        `json:"target,omitempty"`
	Engine           string        `json:"engine"`
	ServerVersion    string        `json:"server_version,omitempty"`
	ServerVersionNum int           `json:"server_version_num,omitempty"`
	Source           Source        `json:"source"`
	Objects          []jsonObject  `json:"objects"`
	Unsupported      []Unsupported `json:"unsupported,omitempty"`
}

type jsonObject struct {
	Kind   string            `json:"kind"`
	Key    Key               `json:"key"`
	Parent Key               `json:"parent,omitzero"`
	Attrs  map[string]string `json:"attrs,omitempty"`
}

func mirror(s *Snapshot) jsonSnapshot {
	m := jsonSnapshot{FormatVersion: s.FormatVersion, Target: s.Target, Engine: s.Engine,
		ServerVersion: s.ServerVersion, ServerVersionNum: s.ServerVersionNum, Source: s.Source,
		Unsupported: s.Unsupported}
	if s.Objects != nil {
		m.Objects = []jsonObject{}
	}
	for _, o := range s.Objects {
		m.Objects = append(m.Objects, jsonObject{Kind: o.Kind, Key: o.Key, Parent: o.Parent, Attrs: o.Attrs.Map()})
	}
	return m
}

// encodingJSONFile renders v the way snapshot files were written before the hand-written encoder.
func encodingJSONFile(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(v))
	return buf.Bytes()
}

// awkward are strings every JSON encoder must escape, or must not, in exactly one way.
var awkward = []string{
	"",
	`say "hi"`,
	`C:\path\to`,
	"nul\x00 soh\x01 us\x1f del\x7f",
	"bs\b ff\f nl\n cr\r tab\t",
	"line\u2028separator\u2029paragraph",
	"héllo wörld ☃ 日本 😀",
	"bad \xff\xfe bytes",
	"cut \xe2\x80",
	"lone \xed\xa0\x80 surrogate",
	"<b>a & b</b> -> x",
	"ends with escape\n",
	"\"\\\"\\",
	"$function$\nBEGIN\n\tRETURN 'it''s';\nEND\n$function$",
	"\u00e9\u0301 combining, \ufeff bom, \ufffd replacement",
}

func awkwardSnapshot() *Snapshot {
	s := New(EnginePostgres)
	s.Target = "app \"prod\" \u2028"
	s.ServerVersion = "15.18"
	s.ServerVersionNum = 150018
	s.Source = Source{Kind: SourceMigrations, Checksum: "sha256:ab\\cd", Version: "20250101<1>"}
	s.Unsupported = []Unsupported{{Kind: "rule", Name: "z \xff"}, {Kind: "a\tb", Name: "x", Reason: "m \u2029"}}
	s.Add(Object{Kind: "schema", Key: MustKey("public")})
	s.Add(Object{Kind: "table", Key: MustKey("public.t"), Parent: MustKey("public"), Attrs: NewAttrs("persistence", "permanent", "rls_enabled", "false")})
	for i, v := range awkward {
		s.Add(Object{
			Kind:   "column",
			Key:    NewKey("public", "t", fmt.Sprintf("c%02d %s", i, v)),
			Parent: NewKey("public", "t"+v),
			Attrs:  NewAttrs("type", v, "default", v, v+" name", "x", "not_null", "true"),
		})
	}
	return s
}

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	empty := New(EngineNeo4j)
	noObjects := New(EnginePostgres)
	noObjects.Objects = nil
	minimal := New(EnginePostgres)
	minimal.Add(Object{Kind: "schema", Key: MustKey("public")})
	cases := map[string]*Snapshot{
		"empty":             empty,
		"nil objects":       noObjects,
		"one bare object":   minimal,
		"awkward strings":   awkwardSnapshot(),
		"unsorted by hand":  {FormatVersion: 1, Engine: "postgres", Source: Source{Kind: SourceLive}, Objects: []Object{{Kind: "b", Key: MustKey("2"), Attrs: Attrs{{"z", "1"}, {"a", "2"}}}, {Kind: "a", Key: MustKey("1")}}},
		"empty attrs slice": {FormatVersion: 1, Engine: "postgres", Source: Source{Kind: SourceLive}, Objects: []Object{{Kind: "a", Key: MustKey("1"), Attrs: Attrs{}}}},
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := s.Marshal()
			require.NoError(t, err)
			// Marshal normalized s; encoding/json renders the same normalized content.
			want := encodingJSONFile(t, mirror(s))
			require.Equal(t, string(want), string(got))
			require.True(t, bytes.HasSuffix(got, []byte("}\n")))

			var streamed bytes.Buffer
			require.NoError(t, Encode(&streamed, s))
			require.Equal(t, got, streamed.Bytes())
		})
	}
}

// TestEncodeMatchesEncodingJSONLarge crosses the encoder's flush threshold many times.
func TestEncodeMatchesEncodingJSONLarge(t *testing.T) {
	s := New(EnginePostgres)
	for i := 0; i < 5000; i++ {
		v := awkward[i%len(awkward)]
		s.Add(Object{Kind: "privilege", Key: MustKey(fmt.Sprintf("public.t%05d:<owner>:SELECT", i)), Parent: MustKey(fmt.Sprintf("public.t%05d", i)),
			Attrs: NewAttrs("on", fmt.Sprintf("public.t%05d", i), "on_kind", "table", "grantee", "<owner>", "privilege", "SELECT", "grantable", "false", "note", v)})
	}
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, s))
	require.Greater(t, buf.Len(), 4*flushAt)
	require.Equal(t, string(encodingJSONFile(t, mirror(s))), buf.String())
}

func TestHashMatchesEncodingJSON(t *testing.T) {
	for _, s := range []*Snapshot{New(EnginePostgres), awkwardSnapshot()} {
		got, err := s.Hash()
		require.NoError(t, err)
		// Hash was sha256 of json.NewEncoder(h).Encode(s.Objects): compact, HTML-escaped.
		var buf bytes.Buffer
		require.NoError(t, json.NewEncoder(&buf).Encode(mirror(s).Objects))
		sum := sha256.Sum256(buf.Bytes())
		require.Equal(t, hex.EncodeToString(sum[:]), got)
	}
	a, b := awkwardSnapshot(), awkwardSnapshot()
	b.Objects[3].Attrs.Set("type", "changed")
	ha, err := a.Hash()
	require.NoError(t, err)
	hb, err := b.Hash()
	require.NoError(t, err)
	require.NotEqual(t, ha, hb)
}

// FuzzAppendString checks string escaping against encoding/json, with and without HTML
// escaping. The seed corpus runs as part of go test.
func FuzzAppendString(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendString(nil, s, true)))

		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(s))
		require.Equal(t, strings.TrimSuffix(buf.String(), "\n"), string(appendString(nil, s, false)))
	})
}

// TestAppendStringEveryByte covers every single byte and every two-byte prefix of the
// interesting ranges, so no table entry is left to chance.
func TestAppendStringEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		for _, s := range []string{string([]byte{byte(c)}), "a" + string([]byte{byte(c)}) + "b", string([]byte{0xe2, 0x80, byte(c)})} {
			want, err := json.Marshal(s)
			require.NoError(t, err)
			require.Equal(t, string(want), string(appendString(nil, s, true)), "%q", s)
		}
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n == 0 {
		return 0, errors.New("disk full")
	}
	w.n--
	return len(p), nil
}

func TestEncodeReportsWriteErrors(t *testing.T) {
	s := New(EnginePostgres)
	for i := 0; i < 3000; i++ {
		s.Add(Object{Kind: "column", Key: MustKey(fmt.Sprintf("public.t.c%04d", i)), Attrs: NewAttrs("type", strings.Repeat("x", 100))})
	}
	for _, n := range []int{0, 1} {
		err := Encode(&failingWriter{n: n}, s)
		require.ErrorContains(t, err, "writing snapshot: disk full")
	}
}

func TestWriteFileIsMarshal(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.json")
	s := awkwardSnapshot()
	require.NoError(t, WriteFile(path, s))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	want, err := s.Marshal()
	require.NoError(t, err)
	require.Equal(t, want, data)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file is left behind")

	out, err := Write(filepath.Join(dir, "missing", "x.json"), s)
	require.NoError(t, err, "a missing directory is created")
	require.Equal(t, []string{filepath.Join(dir, "missing")}, out.Created)
	require.ErrorContains(t, WriteFile(dir, s), "writing snapshot")
}
