package migrations

import (
	"path"
	"strings"
	"testing"
)

// FuzzParseName: any file name is either read as one convention — with a version (unless it is
// a repeatable migration), a known language and a kind — or refused; never a panic, and the
// versions it reads always compare (to themselves as equal, to others consistently).
func FuzzParseName(f *testing.F) {
	for _, s := range []string{
		"V1__init.sql", "V1.1__fix.sql", "V1_2__x.SQL", "R__views.sql", "U2__undo.sql",
		"000001_init.up.sql", "000001_init.down.sql", "V001-add-tags-up.sql", "V001-add-tags-down.sql",
		"001_initial_schema.sql", "20251120_143000_schema_add_email.sql", "2025-01-15-001-add-index.cypher",
		"V001__name.cypher", "init.sql", "v2_lowercase.sql", "README.md", "", "V__.sql", "V1__.sql",
		"99999999999999999999999999999999_x.up.sql", "dir/V3__nested.sql", "V1..2__x.sql", "\x00.sql",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		conv, version, _, kind, ok := ParseName(name)
		again, v2, _, k2, ok2 := ParseName(name)
		if conv != again || version != v2 || kind != k2 || ok != ok2 {
			t.Fatalf("%q parses two ways", name)
		}
		if !ok {
			if conv != "" || version != "" {
				t.Fatalf("%q: refused, yet %q version %q", name, conv, version)
			}
			return
		}
		base := strings.ToLower(path.Base(name))
		if !strings.HasSuffix(base, ".sql") && !strings.HasSuffix(base, ".cypher") {
			t.Fatalf("%q read as a migration without a migration's extension", name)
		}
		if conv == "" || kind == "" {
			t.Fatalf("%q: no convention or kind", name)
		}
		if version == "" && kind != Repeatable {
			t.Fatalf("%q: a %s migration without a version", name, kind)
		}
		if version != "" {
			if CompareVersions(version, version) != 0 {
				t.Fatalf("version %q is not equal to itself", version)
			}
			if a, b := CompareVersions(version, "1"), CompareVersions("1", version); a != -b {
				t.Fatalf("version %q and 1 compare inconsistently: %d, %d", version, a, b)
			}
		}
	})
}
