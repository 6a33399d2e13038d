package shadow

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/migrations"
	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/snapshot"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func connect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(testCtx(t), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func loadSet(t testing.TB, dir string) *migrations.Set {
	t.Helper()
	set, err := migrations.LoadDir(dir)
	require.NoError(t, err)
	return set
}

// shadowDatabases lists the drift_shadow_ databases on the test server.
func shadowDatabases(t testing.TB) map[string]bool {
	t.Helper()
	rows, err := connect(t, pgtest.AdminDSN(t)).Query(testCtx(t), "SELECT datname FROM pg_database WHERE starts_with(datname, 'drift_shadow_')")
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

// logBuffer is a slog handler target that tests read the shadow database names from.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

var shadowName = regexp.MustCompile(`drift_shadow_[0-9a-f]{16}`)

// created returns the shadow databases the log says were created.
func (l *logBuffer) created() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return shadowName.FindAllString(l.buf.String(), -1)
}

// find returns an object of a snapshot, or nil.
func find(s *snapshot.Snapshot, kind, key string) *snapshot.Object { return s.Find(kind, key) }

func serverMajor(t testing.TB) int {
	t.Helper()
	var num int
	require.NoError(t, connect(t, pgtest.AdminDSN(t)).QueryRow(testCtx(t), "SELECT current_setting('server_version_num')::int").Scan(&num))
	return Major(num)
}
