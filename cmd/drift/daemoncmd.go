package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/clock"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/daemon"
	"github.com/drift-schema/drift/internal/slack"
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
			exit := &outputOptions{format: "text", failOn: o.failOn}
			failOn, err := exit.validate(g)
			if err != nil {
				return err
			}
			cfg, err := loadConfig(o.configPath)
			if err != nil {
				return &exitError{code: check.ExitError, err: err}
			}
			w := newWiring(g, cfg, o.shadowDSN)
			log := g.logger()
			d, closeAll, err := buildDaemon(cmd.Context(), cfg, w, log, g.stdout)
			if err != nil {
				return &exitError{code: check.ExitError, err: err}
			}
			defer closeAll()
			if !o.once {
				log.Info("daemon started", "replica", d.ReplicaID(), "targets", len(cfg.Targets), "schedule", cfg.Schedule)
				if err := d.Run(cmd.Context()); err != nil {
					return &exitError{code: check.ExitError, err: err}
				}
				return nil
			}
			outcomes := d.RunOnce(cmd.Context())
			results := make([]check.Result, 0, len(outcomes))
			code := check.ExitClean
			for _, oc := range outcomes {
				if oc.Err != nil {
					fmt.Fprintf(g.stderr, "drift: target %s: %v\n", oc.Target, oc.Err)
					code = check.ExitError
					continue
				}
				if oc.Checked {
					results = append(results, oc.Result)
				}
			}
			if c := exit.exitCode(results, failOn); c > code {
				code = c
			}
			return exitWith(code)
		},
	}
	cmd.Flags().StringVarP(&o.configPath, "config", "c", "", "config file (default: $DRIFT_CONFIG, else drift.yaml)")
	cmd.Flags().BoolVar(&o.once, "once", false, "check every target once, now, and exit with drift check's exit code")
	cmd.Flags().StringVar(&o.shadowDSN, "shadow-dsn", "", "PostgreSQL server for shadow databases")
	cmd.Flags().StringVar(&o.failOn, "fail-on", "warning", "with --once: exit 1 when a finding is at least this severe (critical, warning, info); never: exit 0 on drift, for a scheduler that counts exit 1 as a failed job (Slack still tells)")
	return cmd
}

// buildDaemon wires the store, the runner, the notifier and the schedule from the config.
func buildDaemon(ctx context.Context, cfg *config.Config, w *wiring, log *slog.Logger, out io.Writer) (*daemon.Daemon, func(), error) {
	if err := cfg.RequireEnvFor(cfg.Targets, w.shadowDSN, "store", "slack", "daemon"); err != nil {
		return nil, nil, err
	}
	// The schedules were validated when the config was loaded (every command does).
	var targets []daemon.Target
	for _, t := range buildTargets(cfg, cfg.Targets) {
		ct, _ := cfg.Target(t.Name)
		targets = append(targets, daemon.Target{Target: t, Schedule: ct.Schedule})
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	// Shadow databases left by a crashed run (marked ones, older than an hour). A failure is
	// logged: it must not stop the daemon.
	if dropped, err := w.postgres.SweepShadowOrphans(ctx, time.Hour); err != nil {
		log.Warn("sweeping orphaned shadow databases", "error", err)
	} else {
		for _, name := range dropped {
			log.Info("dropped an orphaned shadow database", "database", name)
		}
	}
	// Every option is set: the defaults are config's (applied when it was loaded, or the
	// constants of the settings the file does not have), and the daemon has none of its own.
	d, err := daemon.New(daemon.Options{
		Targets:          targets,
		Schedule:         cfg.Schedule,
		Concurrency:      cfg.Daemon.Concurrency,
		Timeout:          time.Duration(cfg.Daemon.Timeout),
		FailureThreshold: cfg.Daemon.FailureThreshold,
		HTTPAddr:         cfg.Daemon.HTTPAddress,
		ShutdownTimeout:  time.Duration(cfg.Daemon.ShutdownTimeout),
		CatchUp:          true,
		ClaimGrace:       config.DefaultClaimGrace,
		NotifyTimeout:    config.DefaultNotifyTimeout,
		PostTimeout:      config.DefaultPostTimeout,
		RetryBackoff:     config.DefaultRetryBackoff,
		RetryBackoffMax:  config.DefaultRetryBackoffMax,
		Message:          slack.Options{Environment: cfg.Environment, PublicURL: cfg.Daemon.PublicURL},
		PostInfo:         cfg.Slack.PostInfo,
		Redactor:         w.redactor,
		Clock:            clock.Real,
	}, st, w.runner, notifierFor(cfg, log, out), log)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return d, st.Close, nil
}

// openStore opens and migrates the store database. Its errors say what failed once (the
// store's own errors are prefixed already).
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, error) {
	if err := cfg.RequireEnv("store"); err != nil {
		return nil, err
	}
	if cfg.Store.DSN == "" {
		return nil, fmt.Errorf("config %s: store.dsn is not set: the daemon, drift alerts and drift runs need a PostgreSQL database for schema_drift_alerts", cfg.Name())
	}
	return store.OpenMigrated(ctx, cfg.Store.DSN.Value(), log)
}

// notifierFor picks Slack's bot API, an incoming webhook, or — without Slack — the log, which
// also prints the Block Kit message that would have been sent, and leaves it pending for a
// daemon that has Slack.
func notifierFor(cfg *config.Config, log *slog.Logger, out io.Writer) daemon.Notifier {
	opts := slack.SenderOptions{Logger: log, APIURL: cfg.Slack.APIURL}
	switch {
	case cfg.Slack.Token != "":
		return slack.NewBot(cfg.Slack.Token.Value(), cfg.Slack.Channel, opts)
	case cfg.Slack.WebhookURL != "":
		return slack.NewWebhook(cfg.Slack.WebhookURL.Value(), opts)
	}
	return slack.NewLogNotifier(log, out)
}
