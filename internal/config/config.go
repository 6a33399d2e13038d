// Package config reads drift's YAML configuration: one strict file (unknown keys are errors),
// `${VAR}` expanded from the environment after parsing (so a value can never inject YAML),
// relative paths resolved against the file's directory, and secrets held in a type that prints
// as <secret>.
//
// Only cmd/drift and this package see Config; the rest of drift receives option structs.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/drift-schema/drift/internal/diff"
)

// DefaultSchedule is the daemon's cron schedule when the config names none: every six hours.
const DefaultSchedule = "0 */6 * * *"

// Secret is a string that must never be printed: a DSN with a password, a token, a webhook URL.
// String, GoString, MarshalJSON and MarshalText all hide it; Value reveals it to the one caller
// that needs it.
type Secret string

// Value returns the secret itself.
func (s Secret) Value() string { return string(s) }

// String hides the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "<secret>"
}

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return s.String() }

// MarshalText hides the secret from encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Config is the whole configuration file.
type Config struct {
	// Schedule is the daemon's cron expression (five fields, or six with seconds first, or a
	// @descriptor); `drift daemon` validates it.
	Schedule string `yaml:"schedule"`
	// SnapshotsDir holds committed expected snapshots, <target>.json.
	SnapshotsDir string     `yaml:"snapshots_dir"`
	Store        Store      `yaml:"store"`
	Shadow       Shadow     `yaml:"shadow"`
	Slack        Slack      `yaml:"slack"`
	Daemon       Daemon     `yaml:"daemon"`
	Severity     []Severity `yaml:"severity"`
	Ignore       []Ignore   `yaml:"ignore"`
	Targets      []Target   `yaml:"targets"`
	path         string     // the file this came from
	unset        []string   // ${VAR}s that were not set, for error messages
	envLookup    func(string) (string, bool)
}

// Store is the PostgreSQL database holding schema_drift_alerts and the histories.
type Store struct {
	DSN     Secret `yaml:"dsn"`
	DSNFile string `yaml:"dsn_file"`
}

// Shadow is where migrations are replayed. No DSN means a throwaway local cluster.
type Shadow struct {
	PostgresDSN     Secret `yaml:"postgres_dsn"`
	PostgresDSNFile string `yaml:"postgres_dsn_file"`
	// CacheDir keeps expected snapshots built from migrations between runs; empty disables it.
	CacheDir string `yaml:"cache_dir"`
	// Neo4jURI is a scratch Neo4j instance to replay .cypher migrations into (optional).
	Neo4jURI Secret `yaml:"neo4j_uri"`
}

// Slack is where the daemon posts: an incoming webhook, or a bot token and a channel.
type Slack struct {
	WebhookURL     Secret `yaml:"webhook_url"`
	WebhookURLFile string `yaml:"webhook_url_file"`
	Token          Secret `yaml:"token"`
	TokenFile      string `yaml:"token_file"`
	Channel        string `yaml:"channel"`
	// APIURL overrides Slack's API address (for a Slack-compatible test server).
	APIURL string `yaml:"api_url"`
}

// Daemon tunes `drift daemon`.
type Daemon struct {
	// Concurrency bounds how many targets are checked at once.
	Concurrency int `yaml:"concurrency"`
	// Timeout bounds one target's check.
	Timeout Duration `yaml:"timeout"`
	// FailureThreshold is how many consecutive failed checks raise a "cannot check" alert.
	FailureThreshold int `yaml:"failure_threshold"`
	// HTTPAddress serves /healthz, /readyz and /metrics; empty disables it.
	HTTPAddress string `yaml:"http_address"`
	// ShutdownTimeout bounds how long shutdown waits for running checks.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
}

// Target is one database to watch.
type Target struct {
	Name    string `yaml:"name"`
	Engine  string `yaml:"engine"`
	DSN     Secret `yaml:"dsn"`
	DSNFile string `yaml:"dsn_file"`
	// URI is the Neo4j spelling of DSN.
	URI Secret `yaml:"uri"`
	// Migrations is the migration directory, relative to the config file.
	Migrations string `yaml:"migrations"`
	// Expected is "migrations" or "snapshot"; default: migrations when Migrations is set.
	Expected string `yaml:"expected"`
	// Snapshot overrides snapshots/<name>.json.
	Snapshot    string     `yaml:"snapshot"`
	Schemas     []string   `yaml:"schemas"`
	ColumnOrder bool       `yaml:"column_order"`
	Schedule    string     `yaml:"schedule"`
	Timeout     Duration   `yaml:"timeout"`
	Tracking    Tracking   `yaml:"tracking"`
	Ignore      []Ignore   `yaml:"ignore"`
	Severity    []Severity `yaml:"severity"`

	// ReplaySettings are run-time parameters set for every replayed migration, as the
	// project's migration runner sets them: {search_path: "storage, public"}.
	ReplaySettings map[string]string `yaml:"replay_settings"`
	// Partitions is "parents" (the default: partitions an application or pg_partman makes at
	// run time are not compared, only their parents and whether they conform to them) or
	// "all" (every partition is compared as a table).
	Partitions PartitionMode `yaml:"partitions"`
}

// Tracking names a custom migration tracking table; golang-migrate's and Flyway's are found
// without it.
type Tracking struct {
	Table  string `yaml:"table"`
	Column string `yaml:"column"`
}

// Ignore silences findings matching kind and object glob, for a reason, until an expiry date.
type Ignore struct {
	Kind    string `yaml:"kind"`
	Object  string `yaml:"object"`
	Reason  string `yaml:"reason"`
	Expires Date   `yaml:"expires"`
}

// Severity overrides the default severity of matching findings.
type Severity struct {
	Kind     string `yaml:"kind"`
	Object   string `yaml:"object"`
	Change   string `yaml:"change"`
	Severity string `yaml:"severity"`
}

// Duration is a time.Duration written as "30s", "5m".
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (use e.g. 30s, 5m)", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// Date is a calendar day, written 2027-03-01.
type Date struct{ time.Time }

// UnmarshalYAML parses YYYY-MM-DD.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.Parse("2006-01-02", n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a date (use YYYY-MM-DD)", n.Line, n.Value)
	}
	d.Time = v
	return nil
}

// Load reads and validates a config file, expanding ${VAR} from the process environment.
func Load(path string) (*Config, error) {
	return LoadWithEnv(path, os.LookupEnv)
}

// LoadWithEnv is Load with an explicit environment, for tests.
func LoadWithEnv(path string, lookup func(string) (string, bool)) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cfg, err := Parse(bytes.NewReader(data), abs, lookup)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes a config strictly, expands ${VAR}, resolves paths against the directory of
// path, reads *_file secrets, applies defaults and validates.
func Parse(r io.Reader, path string, lookup func(string) (string, bool)) (*Config, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var cfg Config
	if err := dec.Decode(&cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the file is empty")
		}
		return nil, err
	}
	cfg.path = path
	cfg.envLookup = lookup
	cfg.expand(reflect.ValueOf(&cfg).Elem())
	if err := cfg.readSecretFiles(); err != nil {
		return nil, err
	}
	cfg.applyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// Path is the absolute path of the file the config was read from.
func (c *Config) Path() string { return c.path }

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// expand replaces ${VAR} and ${VAR:-default} in every string of the config.
func (c *Config) expand(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if !v.CanSet() {
			return
		}
		s := v.String()
		if !strings.Contains(s, "${") {
			return
		}
		v.SetString(envRef.ReplaceAllStringFunc(s, func(ref string) string {
			m := envRef.FindStringSubmatch(ref)
			if val, ok := c.envLookup(m[1]); ok && val != "" {
				return val
			}
			if m[2] != "" {
				return m[3]
			}
			c.unset = append(c.unset, m[1])
			return ""
		}))
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				c.expand(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			c.expand(v.Index(i))
		}
	}
}

func (c *Config) readSecretFiles() error {
	read := func(dst *Secret, file, what string) error {
		if file == "" {
			return nil
		}
		if *dst != "" {
			return fmt.Errorf("%s: set either the value or the _file, not both", what)
		}
		data, err := os.ReadFile(c.Resolve(file))
		if err != nil {
			return fmt.Errorf("%s: reading secret file: %w", what, err)
		}
		*dst = Secret(strings.TrimSpace(string(data)))
		return nil
	}
	if err := read(&c.Store.DSN, c.Store.DSNFile, "store.dsn_file"); err != nil {
		return err
	}
	if err := read(&c.Shadow.PostgresDSN, c.Shadow.PostgresDSNFile, "shadow.postgres_dsn_file"); err != nil {
		return err
	}
	if err := read(&c.Slack.WebhookURL, c.Slack.WebhookURLFile, "slack.webhook_url_file"); err != nil {
		return err
	}
	if err := read(&c.Slack.Token, c.Slack.TokenFile, "slack.token_file"); err != nil {
		return err
	}
	for i := range c.Targets {
		t := &c.Targets[i]
		if err := read(&t.DSN, t.DSNFile, fmt.Sprintf("targets[%d].dsn_file", i)); err != nil {
			return err
		}
	}
	return nil
}

// Resolve makes a path from the config file absolute, relative to the file's directory.
func (c *Config) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(c.path), p)
}

func (c *Config) applyDefaults() {
	if c.Schedule == "" {
		c.Schedule = DefaultSchedule
	}
	if c.SnapshotsDir == "" {
		c.SnapshotsDir = "snapshots"
	}
	if c.Daemon.Concurrency <= 0 {
		c.Daemon.Concurrency = 4
	}
	if c.Daemon.Timeout <= 0 {
		c.Daemon.Timeout = Duration(10 * time.Minute)
	}
	if c.Daemon.FailureThreshold <= 0 {
		c.Daemon.FailureThreshold = 2
	}
	if c.Daemon.ShutdownTimeout <= 0 {
		c.Daemon.ShutdownTimeout = Duration(time.Minute)
	}
	for i := range c.Targets {
		t := &c.Targets[i]
		if t.Engine == "" {
			t.Engine = "postgres"
		}
		if t.Engine == "neo4j" && t.DSN == "" {
			t.DSN = t.URI
		}
		if t.Expected == "" {
			if t.Migrations != "" {
				t.Expected = "migrations"
			} else {
				t.Expected = "snapshot"
			}
		}
		if t.Timeout <= 0 {
			t.Timeout = c.Daemon.Timeout
		}
	}
}

// Validate reports every problem of the config at once, each naming where it is.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(c.Targets) == 0 {
		add("no targets: add at least one under `targets:`")
	}
	seen := map[string]bool{}
	for i, t := range c.Targets {
		where := fmt.Sprintf("targets[%d]", i)
		if t.Name != "" {
			where = fmt.Sprintf("target %q", t.Name)
		}
		switch {
		case t.Name == "":
			add("%s: name is required", where)
		case !validName(t.Name):
			add("%s: name may hold only letters, digits, '-', '_' and '.'", where)
		case seen[t.Name]:
			add("%s: the name is used twice", where)
		}
		seen[t.Name] = true
		switch t.Engine {
		case "postgres":
			if t.URI != "" {
				add("%s: `uri` is for neo4j targets; use `dsn`", where)
			}
		case "neo4j":
		default:
			add("%s: engine %q is not supported (postgres or neo4j)", where, t.Engine)
		}
		if t.DSN == "" {
			add("%s: no connection string (dsn/uri)%s", where, c.unsetHint())
		}
		switch t.Expected {
		case "migrations":
			if t.Migrations == "" {
				add("%s: expected: migrations needs a `migrations` directory", where)
			}
		case "snapshot":
		default:
			add("%s: expected must be migrations or snapshot, not %q", where, t.Expected)
		}
		errs = append(errs, validateRules(where, t.Ignore, t.Severity)...)
	}
	errs = append(errs, validateRules("top level", c.Ignore, c.Severity)...)
	if c.Slack.Token != "" && c.Slack.Channel == "" {
		add("slack: a bot token needs a channel")
	}
	if c.Slack.Token != "" && c.Slack.WebhookURL != "" {
		add("slack: set either webhook_url or token, not both")
	}
	return errors.Join(errs...)
}

func validateRules(where string, ignore []Ignore, sev []Severity) []error {
	var errs []error
	for j, r := range ignore {
		if r.Object == "" && r.Kind == "" {
			errs = append(errs, fmt.Errorf("%s: ignore[%d]: needs a kind or an object glob", where, j))
		}
		if strings.TrimSpace(r.Reason) == "" {
			errs = append(errs, fmt.Errorf("%s: ignore[%d]: a reason is required, so the next person knows why", where, j))
		}
		if err := diff.ValidateGlob(r.Object); err != nil {
			errs = append(errs, fmt.Errorf("%s: ignore[%d]: %w", where, j, err))
		}
	}
	for j, r := range sev {
		switch r.Severity {
		case "critical", "warning", "info":
		default:
			errs = append(errs, fmt.Errorf("%s: severity[%d]: severity must be critical, warning or info, not %q", where, j, r.Severity))
		}
		switch r.Change {
		case "", "missing", "unexpected", "changed":
		default:
			errs = append(errs, fmt.Errorf("%s: severity[%d]: change must be missing, unexpected or changed, not %q", where, j, r.Change))
		}
		if err := diff.ValidateGlob(r.Object); err != nil {
			errs = append(errs, fmt.Errorf("%s: severity[%d]: %w", where, j, err))
		}
	}
	return errs
}

func (c *Config) unsetHint() string {
	if len(c.unset) == 0 {
		return ""
	}
	names := append([]string(nil), c.unset...)
	sort.Strings(names)
	names = compactStrings(names)
	return fmt.Sprintf(" (environment variables not set: %s)", strings.Join(names, ", "))
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func validName(s string) bool { return nameRE.MatchString(s) }

// Target returns the named target.
func (c *Config) Target(name string) (Target, bool) {
	for _, t := range c.Targets {
		if t.Name == name {
			return t, true
		}
	}
	return Target{}, false
}

// SnapshotPath is where the expected snapshot of target t lives.
func (c *Config) SnapshotPath(t Target) string {
	if t.Snapshot != "" {
		return c.Resolve(t.Snapshot)
	}
	return filepath.Join(c.Resolve(c.SnapshotsDir), t.Name+".json")
}
