package pgdial

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/stretchr/testify/require"
)

func TestPolicy(t *testing.T) {
	cfg, err := Config("postgres://u:pw@localhost:5432/db")
	require.NoError(t, err)
	require.Equal(t, ApplicationName, cfg.RuntimeParams["application_name"])
	require.Equal(t, DefaultConnectTimeout, cfg.ConnectTimeout)

	cfg, err = Config("host=localhost dbname=db application_name=mine connect_timeout=3")
	require.NoError(t, err)
	require.Equal(t, "mine", cfg.RuntimeParams["application_name"], "a name the user gave is kept")
	require.Equal(t, 3*time.Second, cfg.ConnectTimeout)

	pool, err := PoolConfig("postgres://u:pw@localhost/db")
	require.NoError(t, err)
	require.Equal(t, ApplicationName, pool.ConnConfig.RuntimeParams["application_name"])
}

func TestErrorsNeverCarryThePassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://u:s3cr3t-p4ss@%zz/db",             // unparsable URL
		"postgres://u:s3cr3t@p4ss@nowhere.invalid/db", // an unescaped @ in the password
		"host=nowhere.invalid user=u password=s3cr3t-p4ss",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		_, err := Connect(ctx, dsn, "connecting")
		cancel()
		require.Error(t, err)
		require.NotContains(t, err.Error(), "s3cr3t", dsn)
		require.NotContains(t, err.Error(), "p4ss", dsn)
	}
}

func TestConnectGivesUpInTime(t *testing.T) {
	// A listener that accepts and never answers: connecting must give up at the timeout.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	start := time.Now()
	_, err = Connect(context.Background(), "postgres://u@"+ln.Addr().String()+"/db?connect_timeout=1&sslmode=disable", "connecting")
	require.Error(t, err)
	require.Less(t, time.Since(start), 5*time.Second, "bounded by connect_timeout, not hanging")
}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestSessionsSayWhoTheyAre on a real server.
func TestSessionsSayWhoTheyAre(t *testing.T) {
	ctx := context.Background()
	conn, err := Connect(ctx, pgtest.AdminDSN(t), "connecting")
	require.NoError(t, err)
	defer conn.Close(ctx)
	var name string
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_setting('application_name')").Scan(&name))
	require.Equal(t, ApplicationName, name)
}
