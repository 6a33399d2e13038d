package neo4j

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	neo4jcfg "github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/snapshot"
)

// Connection is a parsed Neo4j URI: the driver URI without credentials, the credentials, and
// the database to use.
type Connection struct {
	// URI is what the driver dials: scheme, host and port, and routing context; never credentials.
	URI string
	// Database is taken from the URI's "database" query parameter; empty means the home database.
	Database string
	user     string
	password string
}

// String is the URI without credentials, safe to log.
func (c Connection) String() string { return c.URI }

// ParseURI parses a Neo4j URI such as neo4j://user:pass@host:7687?database=graph. Accepted
// schemes are neo4j, neo4j+s, neo4j+ssc, bolt, bolt+s and bolt+ssc. The credentials are kept
// out of the URI the driver sees and out of every error and log line.
func ParseURI(raw string) (Connection, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse quotes its input in the error: do not pass it on, it may hold a password.
		return Connection{}, errors.New("parsing neo4j uri: not a valid URI")
	}
	switch u.Scheme {
	case "neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc":
	default:
		return Connection{}, fmt.Errorf("parsing neo4j uri: scheme %q is not one of neo4j, neo4j+s, neo4j+ssc, bolt, bolt+s, bolt+ssc", u.Scheme)
	}
	var c Connection
	if u.User != nil {
		c.user = u.User.Username()
		c.password, _ = u.User.Password()
		u.User = nil
	}
	q := u.Query()
	c.Database = q.Get("database")
	q.Del("database")
	u.RawQuery = q.Encode()
	if p := strings.Trim(u.Path, "/"); p != "" {
		return Connection{}, fmt.Errorf("parsing neo4j uri %s: a path is not allowed; name the database with ?database=%s", u.Redacted(), p)
	}
	c.URI = u.String()
	return c, nil
}

// RedactURI returns the URI with any password replaced, for messages and logs.
func RedactURI(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparseable neo4j uri>"
	}
	return u.Redacted()
}

// DefaultConnectTimeout bounds reaching a Neo4j server: an unreachable server fails a check
// within it, instead of after the driver's retries (close to a minute).
const DefaultConnectTimeout = 10 * time.Second

// Driver opens a driver for the connection, with basic authentication when the URI carried a
// user and no authentication otherwise. connectTimeout (zero: DefaultConnectTimeout) bounds
// opening a socket, acquiring a connection and retrying a transaction the driver considers
// retryable, such as one that failed to connect. The caller closes it.
func (c Connection) Driver(connectTimeout time.Duration) (neo4jdrv.DriverWithContext, error) {
	if connectTimeout <= 0 {
		connectTimeout = DefaultConnectTimeout
	}
	auth := neo4jdrv.NoAuth()
	if c.user != "" {
		auth = neo4jdrv.BasicAuth(c.user, c.password, "")
	}
	d, err := neo4jdrv.NewDriverWithContext(c.URI, auth, func(cfg *neo4jcfg.Config) {
		cfg.SocketConnectTimeout = connectTimeout
		cfg.ConnectionAcquisitionTimeout = connectTimeout
		cfg.MaxTransactionRetryTime = connectTimeout
	})
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", c.URI, err)
	}
	return d, nil
}

// Connect opens a driver and makes sure the server answers within connectTimeout (zero:
// DefaultConnectTimeout), so that an unreachable server is an error after that long, not after
// the driver has retried for most of a minute. The caller closes the driver.
func (c Connection) Connect(ctx context.Context, connectTimeout time.Duration) (neo4jdrv.DriverWithContext, error) {
	if connectTimeout <= 0 {
		connectTimeout = DefaultConnectTimeout
	}
	d, err := c.Driver(connectTimeout)
	if err != nil {
		return nil, err
	}
	vctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := d.VerifyConnectivity(vctx); err != nil {
		_ = d.Close(context.WithoutCancel(ctx))
		if ctx.Err() == nil && vctx.Err() != nil {
			return nil, fmt.Errorf("connecting to %s: no answer within %s (the connect timeout)", c.URI, connectTimeout)
		}
		return nil, fmt.Errorf("connecting to %s: %w", c.URI, err)
	}
	return d, nil
}

// IntrospectURI connects to a Neo4j URI (credentials may be given as user:pass@), introspects
// it and closes the connection. opts.Database, when set, wins over the URI's database parameter.
func IntrospectURI(ctx context.Context, uri string, opts Options) (*snapshot.Snapshot, []diff.Finding, error) {
	conn, err := ParseURI(uri)
	if err != nil {
		return nil, nil, err
	}
	if opts.Database == "" {
		opts.Database = conn.Database
	}
	d, err := conn.Connect(ctx, opts.ConnectTimeout)
	if err != nil {
		return nil, nil, err
	}
	defer d.Close(ctx)
	snap, health, err := Introspect(ctx, d, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", conn, err)
	}
	return snap, health, nil
}
