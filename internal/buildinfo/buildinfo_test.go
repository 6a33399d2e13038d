package buildinfo

import (
	"bytes"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFromBuild(t *testing.T) {
	recorded := func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2026-03-04T05:06:07Z"},
			{Key: "vcs.modified", Value: "true"},
		}}, true
	}
	i := fromBuild("dev", "", "", recorded)
	require.Equal(t, Info{Version: "v1.2.0", Commit: "0123456789abcdef0123-dirty", Date: "2026-03-04T05:06:07Z", Go: runtime.Version()}, i)
	require.Equal(t, "drift v1.2.0 (commit 0123456789ab-dirty, 2026-03-04T05:06:07Z) "+runtime.Version(), i.String())

	stamped := fromBuild("1.3.0", "fedcba", "2026-05-01", recorded)
	require.Equal(t, Info{Version: "1.3.0", Commit: "fedcba", Date: "2026-05-01", Go: runtime.Version()}, stamped, "stamped values win, and are never marked dirty")

	none := fromBuild("dev", "", "", func() (*debug.BuildInfo, bool) { return nil, false })
	require.Equal(t, "drift dev "+runtime.Version(), none.String())
}

func TestWrite(t *testing.T) {
	i := Info{Version: "1.2.0", Commit: "0123456789abcdef", Date: "2026-03-04T05:06:07Z", Go: "go1.24.1"}
	var b bytes.Buffer
	require.NoError(t, i.Write(&b, "TEXT"))
	require.Equal(t, i.String()+"\n", b.String())
	b.Reset()
	require.NoError(t, i.Write(&b, "json"))
	var got map[string]string
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	require.Equal(t, map[string]string{"version": "1.2.0", "commit": "0123456789abcdef", "date": "2026-03-04T05:06:07Z", "go": "go1.24.1"}, got)
	require.EqualError(t, i.Write(&b, "yaml"), `--format must be text or json, not "yaml"`)
}
