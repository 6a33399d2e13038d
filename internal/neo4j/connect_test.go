package neo4j

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/engine"
)

// closedPort returns a loopback address nothing listens on: a port that was just free.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// silentServer accepts connections and never answers: a server that hangs during the Bolt
// handshake, which only a timeout ends.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// TestUnreachableServerFailsWithinConnectTimeout: a closed port and a server that never
// answers both fail the check within the connect timeout (plus a little), not after the
// driver's retries. The caller's context is far longer, so only the connect timeout can end it.
func TestUnreachableServerFailsWithinConnectTimeout(t *testing.T) {
	const timeout = 2 * time.Second
	const slack = 1500 * time.Millisecond
	cases := map[string]string{
		"closed port":   "bolt://drift:s3cr3t-pw@" + closedPort(t),
		"silent server": "bolt://drift:s3cr3t-pw@" + silentServer(t),
	}
	for name, uri := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			e := New(EngineOptions{ConnectTimeout: timeout})
			start := time.Now()
			_, err := e.Introspect(ctx, uri, engine.Options{Target: "graph"})
			elapsed := time.Since(start)
			require.Error(t, err)
			require.Less(t, elapsed, timeout+slack, "failed after %s: %v", elapsed, err)
			require.NotContains(t, err.Error(), "s3cr3t-pw")
			require.Contains(t, err.Error(), "connecting to bolt://127.0.0.1:")
			t.Logf("%s: failed after %s: %v", name, elapsed.Round(time.Millisecond), err)
		})
	}
}

// TestDefaultConnectTimeout pins the default the issue asks for.
func TestDefaultConnectTimeout(t *testing.T) {
	require.Equal(t, 10*time.Second, DefaultConnectTimeout)
	require.Equal(t, DefaultConnectTimeout, New(EngineOptions{}).connectTimeout)
}
