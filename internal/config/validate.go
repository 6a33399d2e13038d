package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/schedule"
)

// Validate reports every problem of the config's values at once, as an *Error.
func (c *Config) Validate() error { return newError(c.Name(), c.validate(nil)) }

// validate checks the values; shapeProblems are what the shape check already reported, so a
// setting that could not be read is not reported a second time as missing.
func (c *Config) validate(shapeProblems []Problem) []Problem {
	var out []Problem
	add := func(key, format string, args ...any) { out = append(out, c.problem(key, format, args...)) }
	reported := func(key string) bool {
		for _, p := range shapeProblems {
			if p.Key == key || strings.HasPrefix(p.Key, key+".") || strings.HasPrefix(p.Key, key+"[") {
				return true
			}
		}
		return false
	}
	unset := map[string]bool{}
	for _, u := range c.unset {
		unset[u.path] = true
	}

	if len(c.Targets) == 0 && !reported("targets") {
		out = append(out, Problem{Line: c.line("targets"), Key: "targets", Message: "no targets: add at least one under `targets:`"})
	}
	if _, err := schedule.Parse(c.Schedule); err != nil && !unset["schedule"] {
		add("schedule", "%q: %v", c.Schedule, err)
	}
	first := map[string]int{}
	for i, t := range c.Targets {
		k := fmt.Sprintf("targets[%d]", i)
		switch j, dup := first[t.Name]; {
		case t.Name == "":
			add(k, "name is required")
		case !validName(t.Name):
			add(k+".name", "%q: a name may hold only letters, digits, '-', '_' and '.', starting with a letter or digit", t.Name)
		case dup:
			add(k+".name", "%q is already the name of targets[%d]", t.Name, j)
		default:
			first[t.Name] = i
		}
		switch t.Engine {
		case "postgres":
			if t.URI != "" {
				add(k+".uri", "`uri` is for neo4j targets; a postgres target uses `dsn`")
			}
		case "neo4j":
		default:
			add(k+".engine", "%q is not supported: use postgres or neo4j%s", t.Engine, didYouMean(t.Engine, "postgres", "neo4j"))
		}
		if t.DSN == "" && !unset[k+".dsn"] && !unset[k+".uri"] && !reported(k+".dsn") && !reported(k+".dsn_file") {
			add(k, "no connection string: set dsn (uri for neo4j) or dsn_file")
		}
		switch t.Expected {
		case "migrations":
			if t.Migrations == "" {
				add(k+".expected", "migrations needs a `migrations` directory")
			}
		case "snapshot":
		default:
			add(k+".expected", "%q: use migrations or snapshot%s", t.Expected, didYouMean(t.Expected, "migrations", "snapshot"))
		}
		if t.Schedule != "" {
			if _, err := schedule.Parse(t.Schedule); err != nil {
				add(k+".schedule", "%q: %v", t.Schedule, err)
			}
		}
		out = append(out, c.validateRules(k, t.Ignore, t.Severity)...)
	}
	out = append(out, c.validateRules("", c.Ignore, c.Severity)...)
	// Every command uses these settings: an unset variable there is always an error.
	out = append(out, c.unsetIn("targets", "ignore", "severity", "schedule", "snapshots_dir", "environment", "log_format")...)

	switch c.LogFormat {
	case "text", "json":
	default:
		add("log_format", "%q: use text or json", c.LogFormat)
	}
	if strings.ContainsAny(c.Environment, "\n\r") || len(c.Environment) > 60 {
		add("environment", "a short label on one line (at most 60 characters), such as production")
	}
	if c.set("daemon.concurrency") && c.Daemon.Concurrency < 1 {
		add("daemon.concurrency", "%d: at least 1 target must be checked at a time", c.Daemon.Concurrency)
	}
	if c.set("daemon.failure_threshold") && c.Daemon.FailureThreshold < 1 {
		add("daemon.failure_threshold", "%d: must be at least 1 (consecutive failed checks before a \"cannot check\" alert)", c.Daemon.FailureThreshold)
	}
	if a := c.Daemon.HTTPAddress; a != "" && !unset["daemon.http_address"] {
		if err := validAddress(a); err != nil {
			add("daemon.http_address", "%q: %v", a, err)
		}
	}
	if u := c.Daemon.PublicURL; u != "" && !unset["daemon.public_url"] {
		if !httpURL(u) || strings.ContainsAny(u, "?#") {
			add("daemon.public_url", "%q is not an http(s) address such as https://drift.example.com", u)
		}
	}
	if c.Slack.WebhookURL != "" && !httpURL(c.Slack.WebhookURL.Value()) {
		// The URL is the secret: say what is wrong with it without printing it.
		add("slack.webhook_url", "not an http(s) URL with a host (an incoming webhook looks like https://hooks.slack.com/services/…)")
	}
	if c.Slack.APIURL != "" && !httpURL(c.Slack.APIURL) {
		add("slack.api_url", "%q is not an http(s) URL with a host", c.Slack.APIURL)
	}
	if c.Slack.Token != "" && c.Slack.Channel == "" {
		add("slack.token", "a bot token needs a channel (slack.channel)")
	}
	if c.Slack.Token != "" && c.Slack.WebhookURL != "" {
		add("slack", "set either webhook_url or token, not both")
	}
	return out
}

// validAddress checks a listen address: host:port, the host optional.
func validAddress(a string) error {
	_, port, err := net.SplitHostPort(a)
	if err != nil {
		return fmt.Errorf("not a listen address such as :9187 or 127.0.0.1:9187")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("the port must be a number from 0 to 65535")
	}
	return nil
}

// httpURL reports whether s is an absolute http or https URL with a host.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.Hostname() != ""
}

// validateRules checks ignore and severity rules; prefix is where they are ("" at top level,
// "targets[0]" in a target).
func (c *Config) validateRules(prefix string, ignore []Ignore, sev []Severity) []Problem {
	var out []Problem
	add := func(key, format string, args ...any) { out = append(out, c.problem(key, format, args...)) }
	for j, r := range ignore {
		k := joinPath(prefix, fmt.Sprintf("ignore[%d]", j))
		if r.Object == "" && r.Kind == "" {
			add(k, "needs a kind or an object glob")
		}
		if strings.TrimSpace(r.Reason) == "" {
			add(k, "a reason is required, so the next person knows why")
		}
		if err := diff.ValidateGlob(r.Object); err != nil {
			add(k+".object", "%v", err)
		}
	}
	for j, r := range sev {
		k := joinPath(prefix, fmt.Sprintf("severity[%d]", j))
		switch r.Severity {
		case "critical", "warning", "info":
		default:
			add(k+".severity", "use critical, warning or info, not %q%s", r.Severity, didYouMean(r.Severity, "critical", "warning", "info"))
		}
		switch r.Change {
		case "", "missing", "unexpected", "changed":
		default:
			add(k+".change", "use missing, unexpected or changed, not %q%s", r.Change, didYouMean(r.Change, "missing", "unexpected", "changed"))
		}
		if err := diff.ValidateGlob(r.Object); err != nil {
			add(k+".object", "%v", err)
		}
	}
	return out
}

// didYouMean suggests the allowed value closest to v, when one is close.
func didYouMean(v string, allowed ...string) string {
	if best := nearest(v, allowed); best != "" && best != v {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	return ""
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func validName(s string) bool { return nameRE.MatchString(s) }

// Select returns the named targets, in the order named, or every target when none is named. An
// unknown name is an error that lists the configured ones.
func (c *Config) Select(names []string) ([]Target, error) {
	if len(names) == 0 {
		return c.Targets, nil
	}
	var out []Target
	var unknown []string
	for _, n := range names {
		t, ok := c.Target(n)
		if !ok {
			unknown = append(unknown, n)
			continue
		}
		out = append(out, t)
	}
	if len(unknown) > 0 {
		configured := make([]string, len(c.Targets))
		for i, t := range c.Targets {
			configured[i] = t.Name
		}
		what := fmt.Sprintf("no target named %q", unknown[0])
		if len(unknown) > 1 {
			what = fmt.Sprintf("no targets named %s", quoteAll(unknown))
		}
		hint := ""
		if best := nearest(unknown[0], configured); best != "" {
			hint = fmt.Sprintf(" (did you mean %s?)", best)
		}
		return nil, fmt.Errorf("%s in %s%s; configured: %s", what, c.Name(), hint, strings.Join(configured, ", "))
	}
	return out, nil
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
