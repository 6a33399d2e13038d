package daemon

import (
	"io"
	"log/slog"
	"time"

	"github.com/drift-schema/drift/internal/check"
	"github.com/drift-schema/drift/internal/clock"
	"github.com/drift-schema/drift/internal/config"
	"github.com/drift-schema/drift/internal/redact"
	"github.com/drift-schema/drift/internal/slack"
	"github.com/drift-schema/drift/internal/store"
)

// FromConfig builds the daemon cfg describes, over cfg's targets (in its order) and the opened
// store. Every setting comes from cfg, whose defaults are
// the only ones: the daemon has none of its own. The notifier is the one cfg's slack section
// names; without one, the log, which prints each message that would have been sent and leaves
// it pending for a daemon that has Slack.
func FromConfig(cfg *config.Config, st *store.Store, checker Checker, red *redact.Redactor, log *slog.Logger, out io.Writer) (*Daemon, error) {
	scheduled := make([]Target, 0, len(cfg.Targets))
	for _, t := range check.TargetsFrom(cfg, cfg.Targets) {
		ct, _ := cfg.Target(t.Name)
		scheduled = append(scheduled, Target{Target: t, Schedule: ct.Schedule})
	}
	return New(Options{
		Targets:          scheduled,
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
		Redactor:         red,
		Clock:            clock.Real,
	}, st, checker, notifierFor(cfg, log, out), log)
}

// notifierFor picks Slack's bot API, an incoming webhook, or the log.
func notifierFor(cfg *config.Config, log *slog.Logger, out io.Writer) Notifier {
	opts := slack.SenderOptions{Logger: log, APIURL: cfg.Slack.APIURL}
	switch {
	case cfg.Slack.Token != "":
		return slack.NewBot(cfg.Slack.Token.Value(), cfg.Slack.Channel, opts)
	case cfg.Slack.WebhookURL != "":
		return slack.NewWebhook(cfg.Slack.WebhookURL.Value(), opts)
	}
	return slack.NewLogNotifier(log, out)
}

// ExitCode is `drift daemon --once`'s exit code, as drift check's: ExitError when a target
// could not be checked (its outcome's Err or its result's error), else the policy's code for
// the targets this replica checked.
func ExitCode(outcomes []Outcome, p check.FailPolicy) int {
	results := make([]check.Result, 0, len(outcomes))
	for _, oc := range outcomes {
		if oc.Err != nil {
			return check.ExitError
		}
		if oc.Checked {
			results = append(results, oc.Result)
		}
	}
	return p.ExitCode(results)
}
