package migrations

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// NewFile is a migration file to add to a set: its path inside the set's folder and content.
type NewFile struct {
	Path    string
	Content []byte
	// Down marks the down, undo or rollback file that goes with the new migration.
	Down bool
}

// NextNames returns the file names the next migration of a set takes, in the set's own naming
// convention: its version follows the last one (numbers keep their width; timestamps and
// dates are taken from now, in UTC, and never go backwards), and the description is written
// with the convention's separator. down is "" when the convention keeps no down file beside
// its migrations (Flyway's undo files only when the set has some; timestamped and dated
// migrations have none).
func (s *Set) NextNames(description string, now time.Time) (up, down string, err error) {
	last, ok := Last(s.Migrations)
	if !ok {
		return "", "", errors.New("the migration set has no versioned migration to follow, so its naming convention is unknown")
	}
	ext := "." + s.Language
	// A set written per database gets a file for PostgreSQL: one for every database would be
	// run on the others too.
	perDB := ""
	if len(s.OtherDatabases) > 0 {
		perDB = "." + DialectPostgres
	}
	under := strings.Join(strings.Fields(description), "_")
	dash := strings.Join(strings.Fields(description), "-")
	now = now.UTC()
	switch s.Convention {
	case Flyway:
		// V1.2 and V1_2 are followed by V2, with the first part's width kept (V001 → V002).
		first := strings.FieldsFunc(versionInFile(last.File, "V", "__"), func(r rune) bool { return r == '.' || r == '_' })[0]
		v, err := increment(first)
		if err != nil {
			return "", "", err
		}
		up = "V" + v + "__" + under + ext
		for _, d := range s.Down {
			if strings.HasPrefix(filepath.Base(d.File), "U") {
				down = "U" + v + "__" + under + ext
				break
			}
		}
	case GolangMigrate:
		v, err := nextNumberOrTimestamp(last.Version, now)
		if err != nil {
			return "", "", err
		}
		up, down = v+"_"+under+perDB+".up"+ext, v+"_"+under+perDB+".down"+ext
	case Dotted:
		v, err := increment(last.Version)
		if err != nil {
			return "", "", err
		}
		up, down = "V"+v+"."+under+perDB+".up"+ext, "V"+v+"."+under+perDB+".down"+ext
	case UpDown:
		v, err := increment(last.Version)
		if err != nil {
			return "", "", err
		}
		up, down = "V"+v+"-"+dash+"-up"+ext, "V"+v+"-"+dash+"-down"+ext
	case Numbered:
		v, err := increment(last.Version)
		if err != nil {
			return "", "", err
		}
		up = v + "_" + under + ext
		down = s.rollbackDir() + "/" + up
	case Timestamped:
		ts := now.Format("20060102_150405")
		if CompareVersions(ts, last.Version) <= 0 {
			t, err := time.Parse("20060102_150405", last.Version)
			if err != nil {
				return "", "", fmt.Errorf("reading the timestamp of %s: %w", last.File, err)
			}
			ts = t.Add(time.Second).Format("20060102_150405")
		}
		up = ts + "_" + under + ext
	case Dated:
		// 2025-01-15-001: today's date, and the day's next number (001 on a new day).
		if len(last.Version) < 12 {
			return "", "", fmt.Errorf("reading the date of %s", last.File)
		}
		day, n := last.Version[:10], last.Version[11:]
		if today := now.Format("2006-01-02"); today > day {
			day, n = today, strings.Repeat("0", len(n))
		}
		v, err := increment(n)
		if err != nil {
			return "", "", err
		}
		up = day + "-" + v + "-" + dash + ext
	default:
		return "", "", fmt.Errorf("drift does not write migrations in the %s convention", s.Convention)
	}
	return up, down, nil
}

// rollbackDir is the rollback folder the set uses: rollback/ unless its rollbacks live in
// rollbacks/.
func (s *Set) rollbackDir() string {
	for _, d := range s.Down {
		if dir, _, ok := strings.Cut(d.File, "/"); ok && rollbackDirs[strings.ToLower(dir)] {
			return dir
		}
	}
	return "rollback"
}

// versionInFile returns what lies between prefix and sep at the start of a file's base name.
func versionInFile(file, prefix, sep string) string {
	base := strings.TrimPrefix(filepath.Base(file), prefix)
	v, _, _ := strings.Cut(base, sep)
	return v
}

// increment adds one to a decimal number, keeping its width: 0009 → 0010.
func increment(v string) (string, error) {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return "", fmt.Errorf("the version %q is not a number drift can follow", v)
	}
	next := strconv.FormatUint(n+1, 10)
	if len(next) < len(v) {
		next = strings.Repeat("0", len(v)-len(next)) + next
	}
	return next, nil
}

// nextNumberOrTimestamp follows a golang-migrate version: a sequence number is incremented; a
// timestamp (golang-migrate -format 20060102150405, pop's 20-digit ones, or Unix seconds) is
// taken from now, later than the last one.
func nextNumberOrTimestamp(last string, now time.Time) (string, error) {
	var v string
	switch {
	case len(last) >= 14 && len(last) <= 20 && strings.HasPrefix(last, "20"):
		// Ory's pop sets write 20 digits: the timestamp and a sequence of the day's files.
		v = now.Format("20060102150405") + strings.Repeat("0", len(last)-14)
	case len(last) == 10 && last[0] == '1':
		v = strconv.FormatInt(now.Unix(), 10)
	default:
		return increment(last)
	}
	if CompareVersions(v, last) <= 0 {
		return increment(last)
	}
	return v, nil
}

// WriteNew writes new migration files into the set's folder dir. It refuses to overwrite
// anything, to write through a symbolic link (the folder itself, a subfolder, or a file), or to
// write into something that is not a directory; it creates a missing rollback subfolder. Either
// every file is written or none is left behind.
func WriteNew(dir string, files []NewFile) (err error) {
	if err := realDir(dir); err != nil {
		return err
	}
	for _, f := range files {
		if filepath.IsAbs(f.Path) || strings.Contains(filepath.ToSlash(f.Path), "..") {
			return fmt.Errorf("writing %s: not a path inside the migrations folder", f.Path)
		}
		if _, err := os.Lstat(filepath.Join(dir, f.Path)); err == nil {
			return fmt.Errorf("writing %s: it already exists, and drift never overwrites a migration", filepath.Join(dir, f.Path))
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("writing %s: %w", filepath.Join(dir, f.Path), err)
		}
	}
	var written []string
	var madeDirs []string
	defer func() {
		if err != nil {
			for _, w := range written {
				os.Remove(w)
			}
			for _, d := range madeDirs {
				os.Remove(d)
			}
		}
	}()
	for _, f := range files {
		path := filepath.Join(dir, f.Path)
		if sub := filepath.Dir(path); sub != filepath.Clean(dir) {
			if _, statErr := os.Lstat(sub); errors.Is(statErr, fs.ErrNotExist) {
				if err := os.Mkdir(sub, 0o755); err != nil {
					return fmt.Errorf("creating %s: %w", sub, err)
				}
				madeDirs = append(madeDirs, sub)
			}
			if err := realDir(sub); err != nil {
				return err
			}
		}
		// O_EXCL fails on any existing name, a symbolic link included, dangling or not;
		// O_NOFOLLOW says so once more.
		out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o644)
		if err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		written = append(written, path)
		if _, err := out.Write(f.Content); err != nil {
			out.Close()
			return fmt.Errorf("writing %s: %w", path, err)
		}
		if err := out.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return nil
}

// realDir fails unless path is a directory that is not a symbolic link.
func realDir(path string) error {
	st, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("writing into %s: %w", path, err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("writing into %s: it is a symbolic link, and drift never writes through one", path)
	}
	if !st.IsDir() {
		return fmt.Errorf("writing into %s: it is not a directory", path)
	}
	return nil
}
