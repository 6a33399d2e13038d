package migrations

import "fmt"

// Describe says in a few words what a set holds, for a config comment or a validation line:
// "4 sql migrations, golang-migrate convention". A nil set is described as "".
func (s *Set) Describe() string {
	if s == nil {
		return ""
	}
	if len(s.Migrations) == 0 {
		return "no migrations yet"
	}
	conv := string(s.Convention)
	if conv == "" {
		conv = "unknown"
	}
	noun := s.Language + " migration"
	if len(s.Migrations) != 1 {
		return fmt.Sprintf("%d %ss, %s convention", len(s.Migrations), noun, conv)
	}
	return fmt.Sprintf("1 %s, %s convention", noun, conv)
}
