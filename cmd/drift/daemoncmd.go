package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/daemon"
	"github.com/drift-schema/drift/internal/store"
)

type daemonOptions struct {
	configPath string
	once       bool
	shadowDSN  string
	failOn     string
}

func newDaemonCmd(g *globals) *cobra.Command {
	o := &daemonOptions{}
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "Check every target on a cron schedule, store alerts and notify Slack",
		Long: `Run unattended: on the configured cron schedule (default every six hours) check every
target, record findings in schema_drift_alerts in the store database, and post to Slack once per
new drift and again when it is resolved. Several replicas may share one store: each target is
checked by one replica per tick and each message is sent once. Without Slack configured,
messages are printed and stay pending for a daemon that has Slack.

--once checks every target once, now, and exits (for a Kubernetes CronJob or a crontab); its
exit code follows drift check's: 0 clean, 1 drift at or above --fail-on, 2 a target could not be
checked.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("log-level") {
				g.logLevel = "info"
			}
			policy, err := check.ParseFailPolicy(o.failOn, false)
			if err != nil {
				return usageErr("%w", err)
			}
			cfg, _, err := g.load(o.configPath)
			if err != nil {
				return err
			}
			w := newWiring(g, cfg, o.shadowDSN)
			log := g.logger()
			d, closeAll, err := buildDaemon(cmd.Context(), cfg, w, log, g.stdout)
			if err != nil {
				return fail(err)
			}
			defer closeAll()
			if o.once {
				outcomes := d.RunOnce(cmd.Context())
				for _, oc := range outcomes {
					if oc.Err != nil {
						fmt.Fprintf(g.stderr, "drift: target %s: %v\n", oc.Target, oc.Err)
					}
				}
				return exitWith(daemon.ExitCode(outcomes, policy))
			}
			log.Info("daemon started", "replica", d.ReplicaID(), "targets", len(cfg.Targets), "schedule", cfg.Schedule)
			if err := d.Run(cmd.Context()); err != nil {
				return fail(err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.configPath, "config", "c", "", config.PathHelp)
	cmd.Flags().BoolVar(&o.once, "once", false, "check every target once, now, and exit with drift check's exit code")
	cmd.Flags().StringVar(&o.shadowDSN, "shadow-dsn", "", "PostgreSQL server for shadow databases")
	cmd.Flags().StringVar(&o.failOn, "fail-on", "warning", "with --once: exit 1 when a finding is at least this severe (critical, warning, info); never: exit 0 on drift, for a scheduler that counts exit 1 as a failed job (Slack still tells)")
	return cmd
}

// buildDaemon opens the store, sweeps the shadow databases a crashed run left (marked ones,
// older than an hour) and builds the daemon the config describes.
func buildDaemon(ctx context.Context, cfg *config.Config, w *wiring, log *slog.Logger, out io.Writer) (*daemon.Daemon, func(), error) {
	if err := cfg.RequireEnvFor(cfg.Targets, w.shadowDSN, "store", "slack", "daemon"); err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	w.runner.SweepShadowOrphans(ctx, time.Hour)
	d, err := daemon.FromConfig(cfg, st, w.runner, w.redactor, log, out)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return d, st.Close, nil
}

// openStore opens and migrates the store database.
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, error) {
	dsn, err := cfg.StoreDSN()
	if err != nil {
		return nil, err
	}
	return store.OpenMigrated(ctx, dsn, log)
}
