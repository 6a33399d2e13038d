package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/check"
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
	cmd.PersistentFlags().StringVarP(&o.configPath, "config", "c", "", "config file (default: $DRIFT_CONFIG, else drift.yaml)")
	cmd.AddCommand(newAlertsListCmd(g, o), newAlertsShowCmd(g, o), newAlertsAckCmd(g, o), newAlertsUnackCmd(g, o))
	return cmd
}

// withStore opens the store named by the config and runs fn with it.
func (o *alertsOptions) withStore(ctx context.Context, g *globals, fn func(*store.Store) error) error {
	cfg, err := loadConfig(o.configPath)
	if err != nil {
		return &exitError{code: check.ExitError, err: err}
	}
	g.secure(cfg)
	st, err := openStore(ctx, cfg, g.logger())
	if err != nil {
		return &exitError{code: check.ExitError, err: err}
	}
	defer st.Close()
	if err := fn(st); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return &exitError{code: check.ExitError, err: errors.New("no such alert (see `drift alerts list`)")}
		}
		return &exitError{code: check.ExitError, err: err}
	}
	return nil
}

func newAlertsListCmd(g *globals, o *alertsOptions) *cobra.Command {
	var target string
	var statuses []string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List alerts (default: open and acknowledged)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := store.AlertFilter{Target: target}
			for _, s := range statuses {
				st := alert.Status(strings.ToLower(strings.TrimSpace(s)))
				switch st {
				case alert.Open, alert.Acknowledged, alert.Resolved:
				default:
					return usageErr("--status must be open, acknowledged or resolved, not %q", s)
				}
				f.Statuses = append(f.Statuses, st)
			}
			if len(f.Statuses) == 0 {
				f.Statuses = []alert.Status{alert.Open, alert.Acknowledged}
			}
			return o.withStore(cmd.Context(), g, func(st *store.Store) error {
				alerts, err := st.Alerts(cmd.Context(), f)
				if err != nil {
					return err
				}
				printAlerts(g.stdout, alerts)
				return nil
			})
		},
	}
	cmd.Flags().StringVarP(&target, "target", "t", "", "only this target")
	cmd.Flags().StringSliceVar(&statuses, "status", nil, "open, acknowledged, resolved (comma-separated)")
	return cmd
}

func printAlerts(w io.Writer, alerts []alert.Alert) {
	if len(alerts) == 0 {
		fmt.Fprintln(w, "no alerts")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTARGET\tSEVERITY\tSTATUS\tFIRST SEEN\tSUMMARY")
	for _, a := range alerts {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Target, a.Severity, a.Status, a.FirstSeen.UTC().Format("2006-01-02 15:04"), a.Summary)
	}
	tw.Flush()
}

func newAlertsShowCmd(g *globals, o *alertsOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show one alert in full, with the live schema's history",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := alertID(args[0])
			if err != nil {
				return err
			}
			return o.withStore(cmd.Context(), g, func(st *store.Store) error {
				a, err := st.Alert(cmd.Context(), id)
				if err != nil {
					return err
				}
				printAlert(g.stdout, a)
				history, err := st.Snapshots(cmd.Context(), a.Target)
				if err != nil {
					return err
				}
				if len(history) > 0 {
					fmt.Fprintf(g.stdout, "\nlive schema history of %s (a row per distinct schema):\n", a.Target)
					for _, h := range history {
						fmt.Fprintf(g.stdout, "  %s … %s  %s\n", h.FirstSeen.UTC().Format(time.RFC3339), h.LastSeen.UTC().Format(time.RFC3339), h.Hash[:12])
					}
				}
				return nil
			})
		},
	}
}

func printAlert(w io.Writer, a alert.Alert) {
	fmt.Fprintf(w, "alert %d: %s\n", a.ID, a.Summary)
	fmt.Fprintf(w, "  target:      %s\n  kind:        %s\n  object:      %s\n  change:      %s\n  severity:    %s\n  status:      %s\n", a.Target, a.Kind, a.Object, a.Change, a.Severity, a.Status)
	fmt.Fprintf(w, "  first seen:  %s\n  last seen:   %s\n", a.FirstSeen.UTC().Format(time.RFC3339), a.LastSeen.UTC().Format(time.RFC3339))
	if !a.ResolvedAt.IsZero() {
		fmt.Fprintf(w, "  resolved:    %s\n", a.ResolvedAt.UTC().Format(time.RFC3339))
	}
	if a.AckBy != "" || a.AckReason != "" {
		until := "resolved"
		if !a.AckUntil.IsZero() {
			until = a.AckUntil.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "  acknowledged by %s until %s: %s\n", a.AckBy, until, a.AckReason)
	}
	fmt.Fprintf(w, "  fingerprint: %s\n", a.Fingerprint)
	if a.Pending != alert.NotifyNone && a.Pending != "" {
		// The outbox: a message decided and stored, not yet accepted by Slack.
		fmt.Fprintf(w, "  pending:     %s message, not sent yet (key %s)", a.Pending, a.NotifyKey)
		if a.NotifyAttempts > 0 {
			fmt.Fprintf(w, "; %d failed attempts, last: %s", a.NotifyAttempts, a.LastNotifyError)
		}
		if !a.RetryAt.IsZero() {
			fmt.Fprintf(w, "; next attempt from %s", a.RetryAt.UTC().Format(time.RFC3339))
		}
		fmt.Fprintln(w)
	}
	if a.Diff != "" {
		fmt.Fprintf(w, "\n%s\n", indent(a.Diff))
	} else {
		if a.Expected != "" {
			fmt.Fprintf(w, "\nexpected:\n%s\n", indent(a.Expected))
		}
		if a.Actual != "" {
			fmt.Fprintf(w, "\nactual:\n%s\n", indent(a.Actual))
		}
	}
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

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
				t, err := time.Parse("2006-01-02", until)
				if err != nil {
					return usageErr("--until %q is not a date (YYYY-MM-DD)", until)
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
	cmd.Flags().StringVar(&until, "until", "", "silence until this date; default: until resolved")
	cmd.Flags().StringVar(&by, "by", currentUser(), "who acknowledges")
	return cmd
}

func newAlertsUnackCmd(g *globals, o *alertsOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "unack ID",
		Short: "Withdraw an acknowledgement: the alert is announced again on the next tick",
		Args:  cobra.ExactArgs(1),
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
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageErr("%q is not an alert ID (see `drift alerts list`)", s)
	}
	return id, nil
}
