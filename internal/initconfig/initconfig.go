// Package initconfig writes the commented drift.yaml of `drift init`: it pairs each database
// given with the migration folder or snapshot that follows it, names the targets and the
// environment variables their connection strings are read from, and renders a config that
// drift itself accepts. It connects to nothing. It also reads a config back as `drift config
// validate` does (Validate), again without connecting to anything.
package initconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/pgdial"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/safefile"
)

// Target is one target drift init writes.
type Target struct {
	Name, Engine, DSN, EnvVar string
	// Migrations or Snapshot, absolute; at most one is set.
	Migrations, Snapshot string
	Set                  *migrations.Set
}

// Sources tells what a command-line argument is (a live database, a migration folder or a
// snapshot file); check.Runner is one.
type Sources interface {
	Source(spec string) (check.Source, error)
}

// Plan pairs each database with the folder or snapshot that follows it.
func Plan(r Sources, args []string) ([]Target, error) {
	var out []Target
	used := map[string]bool{}
	for _, arg := range args {
		src, err := r.Source(arg)
		if err != nil {
			return nil, err
		}
		if src.Kind == check.SourceLive {
			name := uniqueName(targetName(src.Engine, arg), used)
			env := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name)) + "_DATABASE_URL"
			if src.Engine == "neo4j" {
				env = strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name)) + "_NEO4J_URI"
			}
			out = append(out, Target{Name: name, Engine: src.Engine, DSN: arg, EnvVar: env})
			continue
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%s comes before any database: give each database first, then its migration folder or snapshot", arg)
		}
		t := &out[len(out)-1]
		if t.Migrations != "" || t.Snapshot != "" {
			return nil, fmt.Errorf("%s: target %s already has %s; give each database at most one migration folder or snapshot", arg, t.Name, t.Migrations+t.Snapshot)
		}
		abs, err := filepath.Abs(arg)
		if err != nil {
			return nil, err
		}
		if src.Kind == check.SourceSnapshot {
			t.Snapshot = abs
			continue
		}
		set, err := migrations.LoadDir(arg)
		if err != nil {
			return nil, fmt.Errorf("reading migrations in %s: %w", arg, err)
		}
		if want := map[string]string{"postgres": migrations.LanguageSQL, "neo4j": migrations.LanguageCypher}[t.Engine]; set.Language != "" && want != "" && set.Language != want {
			return nil, fmt.Errorf("%s holds %s migrations, but %s is a %s database", arg, set.Language, t.Name, t.Engine)
		}
		t.Migrations, t.Set = abs, set
	}
	return out, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// targetName names a target after its database: the database name of a PostgreSQL connection
// string, the host of a Neo4j URI.
func targetName(engine, dsn string) string {
	var name string
	if engine == "postgres" {
		if cfg, err := pgdial.Config(dsn); err == nil {
			name = cfg.Database
			if name == "" {
				name = cfg.Host
			}
		}
	} else if u, err := url.Parse(dsn); err == nil {
		name, _, _ = strings.Cut(u.Hostname(), ".")
	}
	name = strings.Trim(unsafeName.ReplaceAllString(name, "-"), "-._")
	if name == "" {
		name = engine
	}
	return name
}

func uniqueName(name string, used map[string]bool) string {
	n := name
	for i := 2; used[n]; i++ {
		n = fmt.Sprintf("%s-%d", name, i)
	}
	used[n] = true
	return n
}

// Render writes the config text; dir is the directory the file will be in (paths in the file
// are relative to it). The text is parsed back before it is returned, so drift init never
// writes a file drift would refuse.
func Render(ts []Target, dir string, now time.Time) (string, error) {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# drift configuration, written by `drift init` on %s.\n", now.UTC().Format("2006-01-02"))
	p("# ${VAR} is read from the environment when drift runs (${VAR:-default} gives a default); the\n")
	p("# connection strings live there, not here, so this file can be committed. Relative paths are\n")
	p("# relative to this file. Unknown keys are errors. `drift check` validates the file and checks\n")
	p("# every target; see the README's Configuration section for every setting.\n\n")
	p("# environment: production            # a label in Slack messages and on the status page\n")
	p("schedule: %q                # drift daemon: when to check every target (cron, UTC)\n", config.DefaultSchedule)
	p("snapshots_dir: snapshots              # committed expected snapshots, <target>.json\n\n")
	p("# drift daemon only: the store holds alerts and run history (a PostgreSQL database).\n")
	p("# store:\n#   dsn: ${DRIFT_STORE_DSN}\n")
	p("# slack:\n#   webhook_url: ${SLACK_WEBHOOK_URL}  # or token: ${SLACK_BOT_TOKEN} with channel: \"#db-drift\"\n")
	p("# daemon:\n#   http_address: \":9187\"            # the status page, /metrics, /healthz, /readyz\n")
	p("#   public_url: https://drift.example.com  # where people reach the status page; Slack links to it\n\n")
	p("targets:\n")
	for _, t := range ts {
		p("  - name: %s\n", t.Name)
		p("    engine: %s\n", t.Engine)
		key := "dsn"
		if t.Engine == "neo4j" {
			key = "uri"
		}
		p("    %s: ${%s}", key, t.EnvVar)
		p("   # %s\n", oneLineComment(redact.String(t.DSN, Passwords([]string{t.DSN})...)))
		switch {
		case t.Migrations != "":
			rel := relPath(dir, t.Migrations)
			p("    migrations: %s", yamlScalar(rel))
			p("   # %s\n", t.Set.Describe())
			p("    expected: migrations            # replayed into a throwaway database at every check\n")
			p("    # expected: snapshot            # or compare with snapshots/%s.json (drift snapshot writes it)\n", t.Name)
		case t.Snapshot != "":
			p("    expected: snapshot\n")
			p("    snapshot: %s\n", yamlScalar(relPath(dir, t.Snapshot)))
		default:
			p("    expected: snapshot              # snapshots/%s.json; write it with: drift snapshot --from <database> --out snapshots/%s.json\n", t.Name, t.Name)
		}
		if t.Engine == "postgres" {
			p("    # schemas: [public]             # only these schemas (default: every non-system schema)\n")
		}
		p("    # schedule: \"0 * * * *\"          # this target on its own schedule\n")
		p("    # ignore:\n    #   - {kind: index, object: \"public.tmp_*\", reason: \"ad-hoc reporting indexes\", expires: 2027-01-01}\n")
	}
	text := b.String()
	if _, err := config.Parse(strings.NewReader(text), filepath.Join(dir, "drift.yaml"), func(string) (string, bool) { return "set", true }); err != nil {
		return "", fmt.Errorf("drift init wrote a config it cannot read (a bug): %w", err)
	}
	return text, nil
}

func relPath(dir, p string) string {
	if rel, err := filepath.Rel(dir, p); err == nil {
		return rel
	}
	return p
}

// yamlScalar renders s as a YAML scalar, quoted when it needs to be.
func yamlScalar(s string) string {
	data, err := yaml.Marshal(s)
	if err != nil {
		return fmt.Sprintf("%q", s)
	}
	return strings.TrimSpace(string(data))
}

// Passwords returns the passwords of the connection strings among args: drift init shows the
// connection strings, so only their passwords are secrets (a path or a host name is never
// hidden).
func Passwords(args []string) []string {
	var out []string
	for _, a := range args {
		if cfg, err := pgdial.Config(a); err == nil && cfg.Password != "" {
			out = append(out, cfg.Password)
		}
		if u, err := url.Parse(a); err == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok {
				out = append(out, pw)
			}
		}
	}
	return out
}

func oneLineComment(s string) string { return strings.Join(strings.Fields(s), " ") }

// NextSteps tells, once the config is written to path, what to do next: set each target's
// variable (the connection string shown through red, so without its password), then check.
func NextSteps(w io.Writer, path string, ts []Target, red *redact.Redactor) {
	names := make([]string, len(ts))
	for i, s := range ts {
		names[i] = s.Name
	}
	count := fmt.Sprintf("%d targets", len(ts))
	if len(ts) == 1 {
		count = "1 target"
	}
	fmt.Fprintf(w, "wrote %s: %s (%s)\nnext, set the connection strings (the file reads them from the environment):\n", path, count, strings.Join(names, ", "))
	for _, s := range ts {
		fmt.Fprintf(w, "  export %s='%s'\n", s.EnvVar, red.String(s.DSN))
	}
	fmt.Fprintf(w, "then: drift check --config %s\n", path)
}

// Write renders the config of ts into out ("-": stdout), never over an existing file unless
// force, and tells on stderr what it created and what to do next (with the secrets red
// knows hidden). A path argument is written through safefile: a symlink is followed and a
// device written to, neither is ever replaced.
func Write(out string, force bool, ts []Target, now time.Time, stdout, stderr io.Writer, red *redact.Redactor) error {
	abs := out
	if out != "-" {
		var err error
		if abs, err = filepath.Abs(out); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		if _, err := os.Lstat(out); err == nil && !force {
			return fmt.Errorf("%s exists: drift init does not overwrite a config (use --force, or --out another file)", out)
		}
	}
	text, err := Render(ts, filepath.Dir(abs), now)
	if err != nil {
		return err
	}
	if out == "-" {
		_, err := io.WriteString(stdout, text)
		return err
	}
	res, err := safefile.Write(out, func(w io.Writer) error { _, err := io.WriteString(w, text); return err })
	if err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	for _, d := range res.Created {
		fmt.Fprintf(stderr, "created directory %s\n", d)
	}
	NextSteps(stderr, out, ts, red)
	return nil
}

// Validate checks cfg as the command use ("daemon" or "check") reads it, without connecting to
// anything: the environment variables the command needs, the store for the daemon, and each
// target's expected side (its migration folder read and named, or its snapshot read and
// checked). targets are cfg's targets as the runner takes them, in cfg's order. It returns a
// line per target, or every problem at once.
func Validate(cfg *config.Config, use string) ([]string, error) {
	targets := check.TargetsFrom(cfg, cfg.Targets)
	var problems []error
	var sections []string
	if use == "daemon" {
		sections = append(sections, "store", "slack", "daemon")
		if cfg.Store.DSN == "" && cfg.RequireEnv("store") == nil {
			problems = append(problems, config.ErrNoStore)
		}
	}
	// Without a shadow server drift starts a local cluster: fine, unless the setting names a
	// variable that is not set.
	if err := cfg.RequireEnvFor(cfg.Targets, "", sections...); err != nil {
		problems = append(problems, err)
	}
	var lines []string
	for i, t := range targets {
		sched := cfg.Schedule
		if s := cfg.Targets[i].Schedule; s != "" {
			sched = s
		}
		what, err := t.ReadExpected()
		if err != nil {
			problems = append(problems, fmt.Errorf("target %s: %w", t.Name, err))
			continue
		}
		if t.Expected == check.ExpectMigrations {
			what += " in " + t.Migrations
		}
		lines = append(lines, fmt.Sprintf("%s (%s, every %q): %s", t.Name, t.Engine, sched, what))
	}
	if err := errors.Join(problems...); err != nil {
		return nil, fmt.Errorf("config %s is not usable by drift %s:\n%w", cfg.Name(), use, err)
	}
	return lines, nil
}

// PrintValid says that cfg is valid for drift use, with lines (Validate's, one a target), as
// text or as a JSON object.
func PrintValid(w io.Writer, cfg *config.Config, use string, lines []string, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"valid": true, "file": cfg.Name(), "targets": lines})
	}
	n := fmt.Sprintf("%d targets", len(cfg.Targets))
	if len(cfg.Targets) == 1 {
		n = "1 target"
	}
	fmt.Fprintf(w, "config %s is valid for drift %s: %s\n", cfg.Name(), use, n)
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
	return nil
}
