package main

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/pgdial"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/safefile"
)

type initOptions struct {
	out   string
	force bool
}

func newInitCmd(g *globals) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init DATABASE [MIGRATIONS] [DATABASE [MIGRATIONS]]…",
		Short: "Write a commented drift.yaml for the databases and migration folders given",
		Long: `Write a commented configuration for the databases given, each followed by its migration folder
(or a snapshot file) when it has one:

  drift init postgres://drift@db:5432/app ./db/migrations neo4j://graph:7687 ./db/neo4j

Each database becomes a target named after it. Its connection string is not written into the
file: the file reads it from an environment variable (APP_DATABASE_URL), so the file can be
committed; drift init says which variables to set. A migration folder is read to say which
convention it follows. Nothing is connected to: run drift check next.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The connection strings are shown (their passwords are not): register only the
			// passwords as secrets, so a path or a host name is never hidden.
			g.secure(nil, passwords(args)...)
			w := newWiring(g, nil, "")
			specs, err := planInit(w.runner, args)
			if err != nil {
				return usageErr("%w", err)
			}
			outAbs := o.out
			if o.out != "-" {
				if outAbs, err = filepath.Abs(o.out); err != nil {
					return usageErr("--out: %w", err)
				}
				if _, err := os.Lstat(o.out); err == nil && !o.force {
					return usageErr("%s exists: drift init does not overwrite a config (use --force, or --out another file)", o.out)
				}
			}
			text, err := renderInit(specs, filepath.Dir(outAbs), time.Now())
			if err != nil {
				return &exitError{code: check.ExitError, err: err}
			}
			if o.out == "-" {
				_, err := io.WriteString(g.stdout, text)
				return err
			}
			res, err := safefile.Write(o.out, func(w io.Writer) error { _, err := io.WriteString(w, text); return err })
			if err != nil {
				return &exitError{code: check.ExitError, err: fmt.Errorf("writing %s: %w", o.out, err)}
			}
			for _, d := range res.Created {
				fmt.Fprintf(g.stderr, "created directory %s\n", d)
			}
			names := make([]string, len(specs))
			for i, s := range specs {
				names[i] = s.name
			}
			fmt.Fprintf(g.stderr, "wrote %s: %s (%s)\nnext, set the connection strings (the file reads them from the environment):\n", o.out, plural(len(specs), "target"), strings.Join(names, ", "))
			for _, s := range specs {
				fmt.Fprintf(g.stderr, "  export %s='%s'\n", s.envVar, g.redactor.String(s.dsn))
			}
			fmt.Fprintf(g.stderr, "then: drift check --config %s\n", o.out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.out, "out", "o", "drift.yaml", "where to write the config; - for standard output")
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite an existing file")
	return cmd
}

// initTarget is one target drift init writes.
type initTarget struct {
	name, engine, dsn, envVar string
	// migrations or snapshot, absolute; at most one is set.
	migrations, snapshot string
	set                  *migrations.Set
}

// planInit pairs each database with the folder or snapshot that follows it.
func planInit(r *check.Runner, args []string) ([]initTarget, error) {
	var out []initTarget
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
			out = append(out, initTarget{name: name, engine: src.Engine, dsn: arg, envVar: env})
			continue
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%s comes before any database: give each database first, then its migration folder or snapshot", arg)
		}
		t := &out[len(out)-1]
		if t.migrations != "" || t.snapshot != "" {
			return nil, fmt.Errorf("%s: target %s already has %s; give each database at most one migration folder or snapshot", arg, t.name, t.migrations+t.snapshot)
		}
		abs, err := filepath.Abs(arg)
		if err != nil {
			return nil, err
		}
		if src.Kind == check.SourceSnapshot {
			t.snapshot = abs
			continue
		}
		set, err := migrations.LoadDir(arg)
		if err != nil {
			return nil, fmt.Errorf("reading migrations in %s: %w", arg, err)
		}
		if want := map[string]string{"postgres": migrations.LanguageSQL, "neo4j": migrations.LanguageCypher}[t.engine]; set.Language != "" && want != "" && set.Language != want {
			return nil, fmt.Errorf("%s holds %s migrations, but %s is a %s database", arg, set.Language, t.name, t.engine)
		}
		t.migrations, t.set = abs, set
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

// renderInit writes the config text; dir is the directory the file will be in (paths in the
// file are relative to it). The text is parsed back before it is returned, so drift init never
// writes a file drift would refuse.
func renderInit(ts []initTarget, dir string, now time.Time) (string, error) {
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
		p("  - name: %s\n", t.name)
		p("    engine: %s\n", t.engine)
		key := "dsn"
		if t.engine == "neo4j" {
			key = "uri"
		}
		p("    %s: ${%s}", key, t.envVar)
		p("   # %s\n", oneLineComment(redact.String(t.dsn, passwords([]string{t.dsn})...)))
		switch {
		case t.migrations != "":
			rel := relPath(dir, t.migrations)
			p("    migrations: %s", yamlScalar(rel))
			p("   # %s\n", describeSet(t.set))
			p("    expected: migrations            # replayed into a throwaway database at every check\n")
			p("    # expected: snapshot            # or compare with snapshots/%s.json (drift snapshot writes it)\n", t.name)
		case t.snapshot != "":
			p("    expected: snapshot\n")
			p("    snapshot: %s\n", yamlScalar(relPath(dir, t.snapshot)))
		default:
			p("    expected: snapshot              # snapshots/%s.json; write it with: drift snapshot --from <database> --out snapshots/%s.json\n", t.name, t.name)
		}
		if t.engine == "postgres" {
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

func describeSet(s *migrations.Set) string {
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
	return fmt.Sprintf("%s, %s convention", plural(len(s.Migrations), s.Language+" migration"), conv)
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

// passwords returns the passwords of the connection strings among args.
func passwords(args []string) []string {
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
