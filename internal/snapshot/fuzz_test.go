package snapshot

import (
	"bytes"
	"runtime"
	"testing"
)

// FuzzRead: whatever the bytes, the reader returns a snapshot or an error — never a panic — with
// memory bounded by the input, and a snapshot it accepts is valid: it writes back to bytes that
// read again to the same bytes (deterministic), and hashes.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"format_version":1,"engine":"postgres","objects":[]}`))
	f.Add([]byte(`{"format_version":1,"engine":"postgres","target":"app","objects":[{"kind":"table","key":"public.users","parent":"public","attrs":{"persistence":"permanent"}},{"kind":"schema","key":"public"}]}`))
	f.Add([]byte(`{"format_version":1,"engine":"neo4j","objects":[{"kind":"neo4j_index","key":"idx","attrs":{"labels":"Movie"}}],"unsupported":[{"kind":"rule","name":"r","reason":"x"}]}`))
	f.Add([]byte(`{"format_version":2,"engine":"postgres","objects":[]}`))
	f.Add([]byte(`{"format_version":1,"engine":"postgres","objects":[{"kind":"","key":""}]}`))
	f.Add([]byte(`{"format_version":1,"engine":"postgres","objects":[{"kind":"table","key":"a.b"},{"kind":"table","key":"a.b"}]}`))
	f.Add([]byte(`{"format_version":1,"engine":"postgres","surprise":true}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[`))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s, err := Read(bytes.NewReader(data))
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20+uint64(len(data))*64 {
			t.Fatalf("reading %d bytes allocated %d MiB", len(data), grew>>20)
		}
		if err != nil {
			if s != nil {
				t.Fatal("an error and a snapshot")
			}
			return
		}
		if s.Engine == "" || s.FormatVersion < 1 || s.FormatVersion > FormatVersion {
			t.Fatalf("accepted a snapshot without an engine or of another format: %+v", s)
		}
		for _, o := range s.Objects {
			if o.Kind == "" || o.Key.String() == "" {
				t.Fatalf("accepted an object without a kind or key: %+v", o)
			}
		}
		out, err := s.Marshal()
		if err != nil {
			t.Fatalf("an accepted snapshot does not write: %v", err)
		}
		back, err := Read(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("what drift wrote it cannot read: %v\n%s", err, out)
		}
		again, err := back.Marshal()
		if err != nil || !bytes.Equal(out, again) {
			t.Fatalf("writing is not deterministic:\n%s\n%s", out, again)
		}
		if _, err := s.Hash(); err != nil {
			t.Fatalf("an accepted snapshot does not hash: %v", err)
		}
	})
}
