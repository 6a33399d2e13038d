package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/drift-schema/drift/internal/config"

	"github.com/spf13/cobra"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/report"
	"github.com/drift-schema/drift/internal/store"
)

type alertsOptions struct {
	configPath string
}

func newAlertsCmd(g *globals) *cobra.Command {
	o := &alertsOptions{}
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "List, show, acknowledge and unacknowledge the daemon's stored alerts",
		Args:  cobra.NoArgs,
	}
	cmd.PersistentFlags().StringVarP(&o.configPath, "config", "c", "", config.PathHelp)
	cmd.AddCommand(newAlertsListCmd(g, o), newAlertsShowCmd(g, o), newAlertsAckCmd(g, o), newAlertsUnackCmd(g, o))
	return cmd
}

// withStore opens the store named by the config and runs fn with it.
func (o *alertsOptions) withStore(ctx context.Context, g *globals, fn func(*store.Store) error) error {
	cfg, _, err := g.load(o.configPath)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, g.logger())
	if err != nil {
		return fail(err)
	}
	defer st.Close()
	if err := fn(st); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fail(errors.New("no such alert (see `drift alerts list`)"))
		}
		return fail(err)
	}
	return nil
}

func newAlertsListCmd(g *globals, o *alertsOptions) *cobra.Command {
	var target, format string
	var statuses []string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List alerts (default: open and acknowledged)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := jsonOrText(g, format)
			if err != nil {
				return err
			}
			f := store.AlertFilter{Target: target}
			if f.Statuses, err = alert.ParseStatuses(statuses); err != nil {
				return usageErr("--status %w", err)
			}
			return o.withStore(cmd.Context(), g, func(st *store.Store) error {
				alerts, err := st.Alerts(cmd.Context(), f)
				if err != nil {
					return err
				}
				if asJSON {
					return report.AlertsJSON(g.stdout, alerts)
				}
				return report.Alerts(g.stdout, alerts)
			})
		},
	}
	cmd.Flags().StringVarP(&target, "target", "t", "", "only this target")
	cmd.Flags().StringSliceVar(&statuses, "status", nil, "open, acknowledged, resolved (comma-separated)")
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}

// jsonOrText reads a --format that is text or json; with json, failures are printed as JSON.
func jsonOrText(g *globals, format string) (bool, error) {
	f, err := report.ParseFormat(format, "text", "json")
	if err != nil {
		return false, usageErr("%w", err)
	}
	g.jsonErrors = f == "json"
	return g.jsonErrors, nil
}

func newAlertsShowCmd(g *globals, o *alertsOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one alert in full, with the live schema's history",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := jsonOrText(g, format)
			if err != nil {
				return err
			}
			id, err := alertID(args[0])
			if err != nil {
				return err
			}
			return o.withStore(cmd.Context(), g, func(st *store.Store) error {
				a, err := st.Alert(cmd.Context(), id)
				if err != nil {
					return err
				}
				if asJSON {
					return report.AlertsJSON(g.stdout, []alert.Alert{a})
				}
				history, err := st.Snapshots(cmd.Context(), a.Target)
				if err != nil {
					return err
				}
				return report.Alert(g.stdout, a, history)
			})
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}

func newAlertsAckCmd(g *globals, o *alertsOptions) *cobra.Command {
	var reason, by, until string
	cmd := &cobra.Command{
		Use:   "ack ID --reason TEXT [--until YYYY-MM-DD] [--by NAME]",
		Short: "Acknowledge an alert: no more messages about it until it is resolved or --until passes",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := alertID(args[0])
			if err != nil {
				return err
			}
			if strings.TrimSpace(reason) == "" {
				return usageErr("ack needs --reason, so the next person knows why")
			}
			opts := store.AckOptions{By: by, Reason: reason}
			if until != "" {
				t, err := alert.ParseUntil(until, time.Now())
				if errors.Is(err, alert.ErrUntilPast) {
					return usageErr("--until %w (omit --until to silence until the drift is resolved)", err)
				} else if err != nil {
					return usageErr("--until %w", err)
				}
				opts.Until = t
			}
			return o.withStore(cmd.Context(), g, func(st *store.Store) error {
				a, err := st.Ack(cmd.Context(), id, opts)
				if errors.Is(err, store.ErrNotAcknowledgeable) {
					return fmt.Errorf("alert %d cannot be acknowledged: it is resolved", id)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "acknowledged alert %d (%s)\n", a.ID, a.Summary)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (required)")
	cmd.Flags().StringVar(&until, "until", "", "silence until then: a date (2026-03-01, midnight UTC), a time (2026-03-01T09:00:00Z) or a duration from now (72h, 14d); default: until resolved")
	cmd.Flags().StringVar(&by, "by", currentUser(), "who acknowledges")
	return cmd
}

func newAlertsUnackCmd(g *globals, o *alertsOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "unack ID",
		Short: "Withdraw an acknowledgement: the alert is open again (no message now; its next change or resolution is posted)",
		Long: `Withdraw an acknowledgement. The alert is open again, as if it had never been acknowledged:
it shows as open in drift alerts list, on the status page and in drift_open_findings. Nothing is
posted now (the drift was announced before it was acknowledged); a change to the drift, or its
resolution, is posted as usual.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := alertID(args[0])
			if err != nil {
				return err
			}
			return o.withStore(cmd.Context(), g, func(st *store.Store) error {
				a, err := st.Unack(cmd.Context(), id)
				if err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "unacknowledged alert %d (%s)\n", a.ID, a.Summary)
				return nil
			})
		},
	}
}

func alertID(s string) (int64, error) {
	id, err := alert.ParseID(s)
	if err != nil {
		return 0, usageErr("%w", err)
	}
	return id, nil
}
