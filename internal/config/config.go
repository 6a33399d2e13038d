// Package config reads drift's YAML configuration: one strict file (unknown keys, values of the
// wrong kind and nonsense values are errors, all reported at once with their line and key, and
// a likely typo gets the nearest valid key), `${VAR}` expanded from the environment after
// parsing (so a value can never inject YAML), relative paths resolved against the file's
// directory, and secrets held in a type that prints as <secret>.
//
// Only cmd/drift and this package see Config; the rest of drift receives option structs.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults of the settings in the file: the one place they are written down. cmd/drift passes
// them on in option structs; no other package carries defaults of its own.
const (
	// DefaultSchedule is the daemon's cron schedule: every six hours, on the hour, UTC.
	DefaultSchedule = "0 */6 * * *"
	// DefaultSnapshotsDir holds the committed expected snapshots, relative to the file.
	DefaultSnapshotsDir = "snapshots"
	// DefaultConcurrency is how many targets the daemon checks at once.
	DefaultConcurrency = 4
	// DefaultTimeout bounds one target's check.
	DefaultTimeout = 10 * time.Minute
	// DefaultFailureThreshold is how many consecutive failed checks raise a "cannot check"
	// alert. One failure is often a blip (a restart, a failover); two in a row means nobody is
	// watching that database.
	DefaultFailureThreshold = 2
	// DefaultShutdownTimeout bounds how long SIGTERM waits for running checks.
	DefaultShutdownTimeout = time.Minute
	// DefaultLogFormat is how log lines are written: text (logfmt-like key=value pairs).
	DefaultLogFormat = "text"
)

// MaxFileSize bounds a config file: anything larger is not a configuration, and is refused
// before it is read.
const MaxFileSize = 1 << 20

// Defaults of how the daemon works that the file does not set (they are not worth a setting,
// but they are defaults all the same, so they live here with the others).
const (
	// DefaultClaimGrace is added to a target's timeout to decide that a replica holding its run
	// died: the claim is then taken over.
	DefaultClaimGrace = time.Minute
	// DefaultNotifyTimeout bounds sending one target's pending messages; a message claim older
	// than twice this belongs to a replica that died and is taken over.
	DefaultNotifyTimeout = 2 * time.Minute
	// DefaultPostTimeout bounds one call to Slack, retries within the call included.
	DefaultPostTimeout = 20 * time.Second
	// DefaultRetryBackoff is the wait before the second attempt to deliver a message; it
	// doubles with each failed attempt…
	DefaultRetryBackoff = 30 * time.Second
	// DefaultRetryBackoffMax …up to this (Slack's Retry-After, when longer, is honoured).
	DefaultRetryBackoffMax = time.Hour
)

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
	// Environment labels this deployment ("production", "staging") in Slack messages and on the
	// status page, so a message says which estate it is about.
	Environment string `yaml:"environment"`
	// Schedule is the daemon's cron expression (five fields, or six with seconds first, or a
	// @descriptor); every command validates it, so `drift check` in CI catches a typo.
	Schedule string `yaml:"schedule"`
	// LogFormat is "text" or "json" (JSON lines for a log collector); --log-format overrides it.
	LogFormat string `yaml:"log_format"`
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
	name         string     // the file as the user named it, for messages
	lines        map[string]int
	unset        []unsetRef // ${VAR}s that were not set, and where
	envLookup    func(string) (string, bool)
}

// unsetRef is a ${VAR} that was not set, in the setting at path (e.g. "slack.webhook_url").
type unsetRef struct {
	path, name string
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
	// PostgresBinDir is a directory of PostgreSQL server binaries (initdb, pg_ctl, postgres) for
	// the throwaway shadow cluster, for machines without network; empty: a local install of the
	// live server's major, else one downloaded into the cache.
	PostgresBinDir string `yaml:"postgres_bin_dir"`
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
	// PostInfo posts findings of severity info too; by default they are stored and shown on
	// the status page but not posted (comments, renames of generated names, transients).
	PostInfo bool `yaml:"post_info"`
}

// Daemon tunes `drift daemon`.
type Daemon struct {
	// Concurrency bounds how many targets are checked at once.
	Concurrency int `yaml:"concurrency"`
	// Timeout bounds one target's check.
	Timeout Duration `yaml:"timeout"`
	// FailureThreshold is how many consecutive failed checks raise a "cannot check" alert.
	FailureThreshold int `yaml:"failure_threshold"`
	// HTTPAddress serves the status page, /api/v1/…, /healthz, /readyz and /metrics; empty
	// disables it.
	HTTPAddress string `yaml:"http_address"`
	// PublicURL is the address people reach the status page at (behind an ingress or proxy);
	// Slack messages link to their alerts' pages under it.
	PublicURL string `yaml:"public_url"`
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
	// ReplayPrelude are SQL statements run before the first replayed migration, for what the
	// project's setup creates outside its migrations: ["CREATE SCHEMA IF NOT EXISTS app"].
	ReplayPrelude []string `yaml:"replay_prelude"`
	// Placeholders are the values of Flyway placeholders (${name}) in the migrations, as the
	// project's Flyway configuration sets them: {schema: app}.
	Placeholders map[string]string `yaml:"placeholders"`
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
		// A TypeError lets decoding go on, so the file's other problems are found too; the
		// shape check has already said what is wrong, in the file's terms.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a duration", n.Line, n.Value)}}
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
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a date", n.Line, n.Value)}}
	}
	d.Time = v
	return nil
}

// DefaultFile is the config file a command reads when neither --config nor $DRIFT_CONFIG
// names one; PathHelp says so in a --config flag's help.
const (
	DefaultFile = "drift.yaml"
	PathHelp    = "config file (default: $DRIFT_CONFIG, else " + DefaultFile + ")"
)

// Load reads and validates a config file, expanding ${VAR} from the process environment. An
// empty path is $DRIFT_CONFIG, else DefaultFile.
func Load(path string) (*Config, error) {
	if path == "" {
		path = os.Getenv("DRIFT_CONFIG")
	}
	if path == "" {
		path = DefaultFile
	}
	return LoadWithEnv(path, os.LookupEnv)
}

// LoadWithEnv is Load with an explicit environment, for tests.
func LoadWithEnv(path string, lookup func(string) (string, bool)) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading config %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return parse(data, abs, path, lookup)
}

// Parse decodes a config strictly, expands ${VAR}, resolves paths against the directory of
// path, reads *_file secrets, applies defaults and validates. Every problem is reported at
// once, as an *Error.
func Parse(r io.Reader, path string, lookup func(string) (string, bool)) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading config %s: %w", path, err)
	}
	return parse(data, path, path, lookup)
}

// parse is Parse for data read from path, named as the user named it in messages.
func parse(data []byte, path, name string, lookup func(string) (string, bool)) (*Config, error) {
	fail := func(line int, format string, args ...any) error {
		return newError(name, []Problem{{Line: line, Message: fmt.Sprintf(format, args...)}})
	}
	if len(data) > MaxFileSize {
		return nil, fail(0, "larger than %d KiB: not a configuration file", MaxFileSize>>10)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fail(0, "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, fail(0, "the file is empty: it needs at least `targets:`")
	}
	root := doc.Content[0]
	sh := &shape{lines: map[string]int{}}
	sh.mapping(root, reflect.TypeOf(Config{}), "")
	var cfg Config
	// Decoding goes on past values of the wrong kind (the shape check named them); its own
	// messages speak Go, so they are used only if the shape check found nothing.
	if err := decode(root, &cfg); err != nil && len(sh.problems) == 0 {
		return nil, fail(0, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	cfg.path, cfg.name, cfg.lines = path, name, sh.lines
	cfg.envLookup = lookup
	cfg.expand(reflect.ValueOf(&cfg).Elem(), "")
	problems := append(sh.problems, cfg.readSecretFiles()...)
	cfg.applyDefaults()
	problems = append(problems, cfg.validate(sh.problems)...)
	if err := newError(name, problems); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// decode decodes root into cfg. The YAML library panics on a few malformed documents (a
// merge key next to a list used as a key, found by fuzzing); a panic is a file that cannot be
// read, not a crash.
func decode(root *yaml.Node, cfg *Config) (err error) {
	defer func() {
		if p := recover(); p != nil {
			*cfg = Config{}
			err = fmt.Errorf("cannot be read as a configuration (%v)", p)
		}
	}()
	return root.Decode(cfg)
}

// Path is the absolute path of the file the config was read from.
func (c *Config) Path() string { return c.path }

// Name is the config file as the user named it, for messages.
func (c *Config) Name() string {
	if c.name == "" {
		return c.path
	}
	return c.name
}

// line returns the line of the setting at path, or of its nearest parent that has one.
func (c *Config) line(path string) int {
	for path != "" {
		if l, ok := c.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// problem is a Problem about the setting at key, with its line.
func (c *Config) problem(key, format string, args ...any) Problem {
	return Problem{Line: c.line(key), Key: key, Message: fmt.Sprintf(format, args...)}
}

// set reports whether the file wrote the setting at key (as opposed to leaving it to its
// default).
func (c *Config) set(key string) bool { _, ok := c.lines[key]; return ok }

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// expand replaces ${VAR} and ${VAR:-default} in every string of the config, recording each
// variable that is unset (or empty) without a default, with the setting it is in.
func (c *Config) expand(v reflect.Value, path string) {
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
			c.unset = append(c.unset, unsetRef{path: path, name: m[1]})
			return ""
		}))
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			c.expand(v.Field(i), joinPath(path, name))
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			c.expand(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// RequireEnv reports every ${VAR} left unset (or empty) in the settings under sections (top-level
// keys such as "store", "slack", "shadow", "daemon"), naming the variable and the setting. A
// command calls it for the sections it uses: an unset variable there would silently turn a
// feature off (Slack, say), so it is an error; ${VAR:-} says that empty is intended. Settings
// every command uses (targets, ignore and severity rules) are checked when the file is loaded.
// The error is an *Error naming the file.
func (c *Config) RequireEnv(sections ...string) error {
	return newError(c.Name(), c.unsetIn(sections...))
}

// ErrNoStore says that the config names no store database.
var ErrNoStore = errors.New("store.dsn is not set: the daemon, drift alerts and drift runs need a PostgreSQL database for schema_drift_alerts")

// StoreDSN is the store database's connection string, or an error saying why there is none
// (an unset variable it names, or no store.dsn).
func (c *Config) StoreDSN() (string, error) {
	if err := c.RequireEnv("store"); err != nil {
		return "", err
	}
	if c.Store.DSN == "" {
		return "", fmt.Errorf("config %s: %w", c.Name(), ErrNoStore)
	}
	return c.Store.DSN.Value(), nil
}

// RequireEnvFor is RequireEnv for a command that checks targets: sections always, and the
// shadow when one of targets is built from migrations and no shadow server was found (an unset
// variable there would silently mean "a throwaway local cluster").
func (c *Config) RequireEnvFor(targets []Target, shadowDSN string, sections ...string) error {
	if shadowDSN == "" && slices.ContainsFunc(targets, func(t Target) bool { return t.Expected == "migrations" }) {
		sections = append(sections, "shadow")
	}
	return c.RequireEnv(sections...)
}

func (c *Config) unsetIn(sections ...string) []Problem {
	var out []Problem
	seen := map[unsetRef]bool{}
	for _, u := range c.unset {
		top, _, _ := strings.Cut(u.path, ".")
		top, _, _ = strings.Cut(top, "[")
		if !slices.Contains(sections, top) || seen[u] {
			continue
		}
		seen[u] = true
		out = append(out, c.problem(u.path, "environment variable %s is not set (write ${%s:-} if empty is intended)", u.name, u.name))
	}
	return out
}

// readSecretFiles reads every *_file setting into its secret.
func (c *Config) readSecretFiles() []Problem {
	var out []Problem
	read := func(dst *Secret, file, key string) {
		if file == "" {
			return
		}
		if *dst != "" {
			out = append(out, c.problem(key, "set either the value or the _file, not both"))
			return
		}
		data, err := readSecretFile(c.Resolve(file))
		if err != nil {
			out = append(out, c.problem(key, "%v", err))
			return
		}
		*dst = Secret(strings.TrimSpace(string(data)))
	}
	read(&c.Store.DSN, c.Store.DSNFile, "store.dsn_file")
	read(&c.Shadow.PostgresDSN, c.Shadow.PostgresDSNFile, "shadow.postgres_dsn_file")
	read(&c.Slack.WebhookURL, c.Slack.WebhookURLFile, "slack.webhook_url_file")
	read(&c.Slack.Token, c.Slack.TokenFile, "slack.token_file")
	for i := range c.Targets {
		t := &c.Targets[i]
		read(&t.DSN, t.DSNFile, fmt.Sprintf("targets[%d].dsn_file", i))
	}
	return out
}

// readSecretFile reads a secret file, refusing one too large to be a secret (a wrong path such
// as a log file must not be read into memory and then into a connection string).
func readSecretFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading secret file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 64<<10+1))
	if err != nil {
		return nil, fmt.Errorf("reading secret file: %w", err)
	}
	if len(data) > 64<<10 {
		return nil, fmt.Errorf("secret file %s is larger than 64 KiB: not a secret", path)
	}
	return data, nil
}

// Secrets lists every secret the config holds (empty ones included), so that the caller can
// keep them out of everything it prints.
func (c *Config) Secrets() []string {
	s := []string{c.Store.DSN.Value(), c.Shadow.PostgresDSN.Value(), c.Slack.Token.Value(), c.Slack.WebhookURL.Value(), c.Shadow.Neo4jURI.Value()}
	for _, t := range c.Targets {
		s = append(s, t.DSN.Value(), t.URI.Value())
		s = append(s, SecretPlaceholders(t.Placeholders)...)
	}
	return s
}

// SecretPlaceholders returns the values of the placeholders whose names say they are secrets
// (CREATE ROLE app PASSWORD '${app_password}'), for the redactor.
func SecretPlaceholders(values map[string]string) []string {
	var s []string
	for name, v := range values {
		if secretName.MatchString(name) {
			s = append(s, v)
		}
	}
	return s
}

// secretName is a placeholder name that says its value is a secret.
var secretName = regexp.MustCompile(`(?i)pass|secret|token|credential|key`)

// Resolve makes a path from the config file absolute, relative to the file's directory.
func (c *Config) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(c.path), p)
}

// Default is the configuration of an empty file: every default filled in, no targets.
func Default() *Config {
	c := &Config{}
	c.applyDefaults()
	return c
}

func (c *Config) applyDefaults() {
	if c.Schedule == "" {
		c.Schedule = DefaultSchedule
	}
	if c.SnapshotsDir == "" {
		c.SnapshotsDir = DefaultSnapshotsDir
	}
	if c.LogFormat == "" {
		c.LogFormat = DefaultLogFormat
	}
	c.LogFormat = strings.ToLower(strings.TrimSpace(c.LogFormat))
	c.Daemon.PublicURL = strings.TrimRight(c.Daemon.PublicURL, "/")
	// A value the file wrote is kept as written, even zero or negative: validate rejects it
	// rather than quietly running with the default.
	if !c.set("daemon.concurrency") {
		c.Daemon.Concurrency = DefaultConcurrency
	}
	if !c.set("daemon.timeout") {
		c.Daemon.Timeout = Duration(DefaultTimeout)
	}
	if !c.set("daemon.failure_threshold") {
		c.Daemon.FailureThreshold = DefaultFailureThreshold
	}
	if !c.set("daemon.shutdown_timeout") {
		c.Daemon.ShutdownTimeout = Duration(DefaultShutdownTimeout)
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
		if !c.set(fmt.Sprintf("targets[%d].timeout", i)) {
			t.Timeout = c.Daemon.Timeout
		}
	}
}

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
