package diff

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLineDiff(t *testing.T) {
	numbered := func(n int, change map[int]string) string {
		var lines []string
		for i := 1; i <= n; i++ {
			if c, ok := change[i]; ok {
				lines = append(lines, c)
			} else {
				lines = append(lines, "line "+string(rune('a'+i-1)))
			}
		}
		return strings.Join(lines, "\n")
	}
	tests := []struct {
		name             string
		expected, actual string
		want             string
	}{
		{name: "identical", expected: "a\nb", actual: "a\nb", want: ""},
		{name: "only a final newline differs", expected: "a\nb\n", actual: "a\nb", want: ""},
		{name: "one line changed", expected: "a\nb\nc", actual: "a\nB\nc", want: "  a\n- b\n+ B\n  c"},
		{name: "added at end", expected: "a", actual: "a\nb", want: "  a\n+ b"},
		{name: "from nothing", expected: "", actual: "a", want: "+ a"},
		{name: "empty lines keep no trailing blank", expected: "a\n\nb", actual: "a\n\nc", want: "  a\n\n- b\n+ c"},
		{
			name:     "context is elided far from changes",
			expected: numbered(20, nil),
			actual:   numbered(20, map[int]string{10: "changed"}),
			want:     "  ...\n  line g\n  line h\n  line i\n- line j\n+ changed\n  line k\n  line l\n  line m\n  ...",
		},
		{
			name:     "two changes with a gap",
			expected: numbered(12, nil),
			actual:   numbered(12, map[int]string{1: "first", 12: "last"}),
			want:     "- line a\n+ first\n  line b\n  line c\n  line d\n  ...\n  line i\n  line j\n  line k\n- line l\n+ last",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, LineDiff(tt.expected, tt.actual))
		})
	}
}
