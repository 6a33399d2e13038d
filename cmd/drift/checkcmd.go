package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/report"
)

type checkOptions struct {
	configPath string
	targets    []string
	shadowDSN  string
	out        outputOptions
	fix        string // "", "revert" or "adopt": print the fix
	adopt      bool   // write the adopting migration into each drifted target's migration set
}

func newCheckCmd(g *globals) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check every configured database against its expected schema",
		Long: `Check every configured target (or those named with --target): build the expected schema
(a committed snapshot, or the migration set replayed into a throwaway shadow database), read
the live catalog, and report the differences.

--fix revert prints, per drifted target, the statements that revert its drift (run by hand on
the live database: indexes built CONCURRENTLY, constraints added NOT VALID then validated);
--fix adopt those that turn the expected schema into the live one. With --format json or
markdown the fix goes into the report (markdown shows the revert fix by default). drift prints
fixes; it never runs them.

--adopt writes, for each drifted target whose expected schema is a migration set, the migration
that adopts the drift as the set's next file in its own naming convention (with its down or
rollback file where the convention has one), and prints the paths. It never overwrites a file.

Exit codes: 0 no finding at or above --fail-on, 1 drift, 2 a target could not be checked
(--adopt: 0 every drifted target's migration written, 2 one could not be).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.out.validate(g); err != nil {
				return err
			}
			var mode check.FixMode
			var err error
			switch {
			case o.fix != "" && o.adopt:
				return usageErr("--fix and --adopt do not go together: --adopt writes the adopting migration, --fix prints a fix")
			case o.fix != "":
				if mode, err = check.ParseFixMode(o.fix); err != nil {
					return usageErr("--fix: %v", err)
				}
			case o.out.format == "markdown":
				mode = check.FixRevert // a pull-request comment shows how to undo each finding
			}
			if o.out.verbose && !cmd.Flags().Changed("log-level") {
				g.logLevel = "info" // verbose also shows what was skipped, e.g. Neo4j data statements
			}
			cfg, targets, err := g.load(o.configPath, o.targets...)
			if err != nil {
				return err
			}
			stop := g.showProgress(fmt.Sprintf("checking %s", plural(len(targets), "target")))
			w := newWiring(g, cfg, o.shadowDSN)
			if err := cfg.RequireEnvFor(targets, w.shadowDSN); err != nil {
				stop()
				return fail(err)
			}
			checked := check.TargetsFrom(cfg, targets)
			for i := range checked {
				checked[i].Fix, checked[i].WholeSnapshots = mode, o.adopt // --adopt writes its own fix, from whole schemas
			}
			results := w.runner.CheckTargets(cmd.Context(), checked, 4)
			stop()
			if o.adopt {
				return exitWith(w.runner.AdoptAll(checked, results, g.stdout, g.stderr))
			}
			if o.fix != "" && o.out.format == "text" {
				err = report.FixScript(g.stdout, results, "drift check --fix "+o.fix+": per drifted target, the statements that "+mode.Purpose())
			} else {
				err = o.out.render(g.stdout, results)
			}
			if err != nil {
				return fail(fmt.Errorf("writing the report: %w", err))
			}
			return exitWith(o.out.policy.ExitCode(results))
		},
	}
	cmd.Flags().StringVarP(&o.configPath, "config", "c", "", config.PathHelp)
	cmd.Flags().StringArrayVarP(&o.targets, "target", "t", nil, "check only this target (repeatable)")
	cmd.Flags().StringVar(&o.shadowDSN, "shadow-dsn", "", "PostgreSQL server for shadow databases (default: shadow.postgres_dsn, $DRIFT_SHADOW_DSN, else a throwaway local cluster)")
	cmd.Flags().StringVar(&o.fix, "fix", "", "print the fix: revert (undo the drift) or adopt (turn the expected schema into the live one)")
	cmd.Flags().BoolVar(&o.adopt, "adopt", false, "write the migration adopting the drift as the next file of each drifted target's migration set")
	addOutputFlags(cmd, &o.out)
	return cmd
}

func addOutputFlags(cmd *cobra.Command, o *outputOptions) {
	cmd.Flags().StringVarP(&o.format, "format", "f", "text", "output format: text, json or markdown")
	cmd.Flags().StringVar(&o.failOn, "fail-on", "warning", "exit 1 when a finding is at least this severe: critical, warning or info; never: drift exits 0 (only a target that cannot be checked fails)")
	cmd.Flags().BoolVar(&o.failOnPending, "fail-on-pending", false, "exit 1 when migrations are pending")
	cmd.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "show full definitions in text output")
}

// load reads the config (config.Load), registers its secrets, and picks the named targets (all
// of them when none are named; an unknown name lists the configured ones). Its errors carry
// exit code 2.
func (g *globals) load(configPath string, names ...string) (*config.Config, []config.Target, error) {
	cfg, err := config.Load(configPath)
	if err != nil {
		return nil, nil, fail(err)
	}
	g.secure(cfg)
	targets, err := cfg.Select(names)
	if err != nil {
		return nil, nil, usageErr("%w", err)
	}
	return cfg, targets, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
