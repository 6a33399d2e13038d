package main

import (
	"time"

	"github.com/drift-schema/drift/internal/config"

	"github.com/spf13/cobra"

	"github.com/drift-schema/drift/internal/report"
	"github.com/drift-schema/drift/internal/store"
)

type runsOptions struct {
	alerts  alertsOptions
	targets []string
	limit   int
	since   time.Duration
	format  string
}

func newRunsCmd(g *globals) *cobra.Command {
	o := &runsOptions{}
	cmd := &cobra.Command{
		Use:   "runs [--target NAME]… [--limit N] [--since DURATION]",
		Short: "List the daemon's recent runs per target: when, how long, result, findings, error",
		Long: `List the runs the daemon recorded in the store, newest first, grouped by target: when each
was scheduled and started, how long it took, its result (clean, drift, pending, error, running,
abandoned), its findings by severity and pending migrations, the replica that ran it, and why it
failed. Every replica records into the same store, so this is the history of all of them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := jsonOrText(g, o.format)
			if err != nil {
				return err
			}
			if o.limit < 1 {
				return usageErr("--limit must be at least 1, not %d", o.limit)
			}
			if o.since < 0 {
				return usageErr("--since must be a positive duration (e.g. 24h)")
			}
			f := store.RunFilter{PerTarget: o.limit}
			if o.since > 0 {
				f.Since = time.Now().Add(-o.since)
			}
			if len(o.targets) > 0 {
				_, targets, err := g.load(o.alerts.configPath, o.targets...)
				if err != nil {
					return err
				}
				for _, t := range targets {
					f.Targets = append(f.Targets, t.Name)
				}
			}
			return o.alerts.withStore(cmd.Context(), g, func(st *store.Store) error {
				runs, err := st.RunHistory(cmd.Context(), f)
				if err != nil {
					return fail(err)
				}
				if asJSON {
					return report.RunsJSON(g.stdout, runs)
				}
				return report.Runs(g.stdout, runs)
			})
		},
	}
	cmd.Flags().StringVarP(&o.alerts.configPath, "config", "c", "", config.PathHelp)
	cmd.Flags().StringArrayVarP(&o.targets, "target", "t", nil, "only this target (repeatable)")
	cmd.Flags().IntVarP(&o.limit, "limit", "n", 10, "runs per target")
	cmd.Flags().DurationVar(&o.since, "since", 0, "only runs scheduled within this long (e.g. 24h)")
	cmd.Flags().StringVarP(&o.format, "format", "f", "text", "output format: text or json")
	return cmd
}
