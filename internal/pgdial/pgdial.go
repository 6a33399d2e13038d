// Package pgdial is how drift connects to PostgreSQL, in one place: every session it opens
// says who it is (application_name "drift", unless the connection string names one), gives up
// connecting after a bounded time (connect_timeout, 10 s unless the connection string says
// otherwise), and its errors never carry the connection string's password.
package pgdial

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/drift-schema/drift/internal/redact"
)

// ApplicationName is what drift's sessions show in pg_stat_activity.
const ApplicationName = "drift"

// DefaultConnectTimeout bounds connecting when the connection string sets no connect_timeout.
const DefaultConnectTimeout = 10 * time.Second

// errUnparsable is returned for a connection string pgx cannot parse: its parse errors may
// echo the string (net/url quotes a malformed URL), so their text is never passed on.
var errUnparsable = errors.New("the connection string cannot be parsed (not shown: it may hold a password)")

// errAtInPassword is returned for a URL whose password holds an unescaped @: the URL parser
// cuts the password at the first @ and takes the rest for the host name, which would then reach
// resolver errors, logs and reports.
var errAtInPassword = errors.New("the connection string's password holds an unescaped @: write it as %40 (not shown: it holds a password)")

// Config parses dsn and applies drift's session policy.
func Config(dsn string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, errUnparsable
	}
	if err := checkHosts(cfg); err != nil {
		return nil, err
	}
	apply(&cfg.Config.ConnectTimeout, cfg.RuntimeParams)
	return cfg, nil
}

func checkHosts(cfg *pgx.ConnConfig) error {
	if strings.Contains(cfg.Host, "@") {
		return errAtInPassword
	}
	for _, fb := range cfg.Fallbacks {
		if strings.Contains(fb.Host, "@") {
			return errAtInPassword
		}
	}
	return nil
}

// PoolConfig parses dsn for a connection pool and applies drift's session policy.
func PoolConfig(dsn string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, errUnparsable
	}
	if err := checkHosts(cfg.ConnConfig); err != nil {
		return nil, err
	}
	apply(&cfg.ConnConfig.Config.ConnectTimeout, cfg.ConnConfig.RuntimeParams)
	return cfg, nil
}

func apply(timeout *time.Duration, params map[string]string) {
	if *timeout <= 0 {
		*timeout = DefaultConnectTimeout
	}
	if params["application_name"] == "" {
		params["application_name"] = ApplicationName
	}
}

// Connect connects to dsn. what says what the connection is for ("connecting to the shadow
// server"); it prefixes the error.
func Connect(ctx context.Context, dsn, what string) (*pgx.Conn, error) {
	cfg, err := Config(dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return ConnectConfig(ctx, cfg, what)
}

// ConnectConfig connects with a parsed config; the error is scrubbed of its password.
func ConnectConfig(ctx context.Context, cfg *pgx.ConnConfig, what string) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, Scrub(fmt.Errorf("%s: %w", what, err), cfg)
	}
	return conn, nil
}

// Scrub removes cfg's password (and any password-shaped text) from err's message.
func Scrub(err error, cfg *pgx.ConnConfig) error {
	if err == nil {
		return nil
	}
	var secrets []string
	if cfg != nil && cfg.Password != "" {
		secrets = append(secrets, cfg.Password)
		// A password holding an unescaped @ is split by a URL parser; its pieces can reach an
		// error through the host name a resolver was asked for.
		for _, piece := range strings.Split(cfg.Password, "@") {
			secrets = append(secrets, piece)
		}
	}
	return redact.Error(err, secrets...)
}
