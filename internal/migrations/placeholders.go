package migrations

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Flyway replaces placeholders, ${name}, in every SQL migration before it runs it: the ones a
// project configures (flyway.placeholders.name=value) and its own (${flyway:defaultSchema},
// ${flyway:user}, ${flyway:table}, ${flyway:filename}, …). A placeholder without a value stops
// Flyway, so it stops the replay too.

// flywayPlaceholder matches ${name}: Flyway's default prefix and suffix.
var flywayPlaceholder = regexp.MustCompile(`\$\{([^{}\s]+)\}`)

// Placeholders are the values a replay substitutes: a project's, by name, and Flyway's own
// (FlywayUser, FlywayDefaultSchema), which the caller fills from what it knows.
type Placeholders map[string]string

// Flyway's own placeholders.
const (
	FlywayUser          = "flyway:user"
	FlywayDefaultSchema = "flyway:defaultSchema"
	FlywayDatabase      = "flyway:database"
)

// Substitute returns ms with their placeholders replaced as the set's tool does before running
// them (Flyway's ${name}; other conventions have none, and ms is returned as it is). A
// placeholder with no value is an error naming the file, the line and the placeholder. The
// copies' checksums are those of the replaced content, so a cached replay follows the values.
func Substitute(ms []Migration, conv Convention, values Placeholders) ([]Migration, error) {
	if conv != Flyway {
		return ms, nil
	}
	out := make([]Migration, len(ms))
	for i, m := range ms {
		out[i] = m
		if !bytes.Contains(m.Content, []byte("${")) {
			continue
		}
		var missing []string
		line := 0
		content := flywayPlaceholder.ReplaceAllFunc(m.Content, func(ref []byte) []byte {
			name := string(ref[2 : len(ref)-1])
			if v, ok := values[name]; ok {
				return []byte(v)
			}
			if v, ok := flywayBuiltin(name, m); ok {
				return []byte(v)
			}
			if !slices.Contains(missing, name) {
				missing = append(missing, name)
				if line == 0 {
					line = 1 + bytes.Count(m.Content[:bytes.Index(m.Content, ref)], []byte("\n"))
				}
			}
			return ref
		})
		if len(missing) > 0 {
			sort.Strings(missing)
			what, it := "placeholder", "it"
			if len(missing) > 1 {
				what, it = "placeholders", "them"
			}
			return nil, fmt.Errorf("%s line %d: no value for the Flyway %s %s: set %s as the project's Flyway configuration does (a target's placeholders: {name: value}, or --placeholder name=value on drift diff)",
				m.File, line, what, "${"+strings.Join(missing, "}, ${")+"}", it)
		}
		sum := sha256.Sum256(content)
		out[i].Content, out[i].Checksum = content, hex.EncodeToString(sum[:])
	}
	return out, nil
}

// flywayBuiltin is the value of one of Flyway's own placeholders for a migration.
func flywayBuiltin(name string, m Migration) (string, bool) {
	switch name {
	case FlywayDefaultSchema:
		return "public", true // Flyway's default: the connection's default schema
	case "flyway:table":
		return FlywayTable, true
	case "flyway:filename":
		return path.Base(m.File), true
	}
	return "", false
}

// WithPlaceholders returns the set as its tool runs it, with placeholders replaced (see
// Substitute): its checksum is the replaced content's. A set with nothing to replace is
// returned as it is.
func (s *Set) WithPlaceholders(values Placeholders) (*Set, error) {
	ms, err := Substitute(s.Migrations, s.Convention, values)
	if err != nil {
		return nil, err
	}
	if slices.EqualFunc(ms, s.Migrations, func(a, b Migration) bool { return a.Checksum == b.Checksum }) {
		return s, nil
	}
	out := *s
	out.Migrations = ms
	out.Checksum = setChecksum(append(slices.Clone(ms), s.Callbacks...))
	return &out, nil
}

// Same returns the set's own migrations of the files of ms, in ms's order: those of a set
// WithPlaceholders returned, for migrations planned on the set as loaded.
func (s *Set) Same(ms []Migration) []Migration {
	byFile := make(map[string]Migration, len(s.Migrations))
	for _, m := range s.Migrations {
		byFile[m.File] = m
	}
	out := make([]Migration, len(ms))
	for i, m := range ms {
		if own, ok := byFile[m.File]; ok {
			m = own
		}
		out[i] = m
	}
	return out
}
