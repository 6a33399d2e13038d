package clock

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFakeTimersFireInOrderWhenTimeMoves(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFake(start)
	late, early := f.NewTimer(2*time.Hour), f.NewTimer(time.Hour)
	stopped := f.NewTimer(30 * time.Minute)
	require.True(t, stopped.Stop())
	require.Equal(t, 2, f.Waiters())

	f.Advance(59 * time.Minute)
	select {
	case <-early.C():
		t.Fatal("fired before its time")
	default:
	}
	f.Advance(time.Minute)
	require.Equal(t, start.Add(time.Hour), <-early.C())
	require.False(t, early.Stop(), "a fired timer cannot be stopped")
	f.Set(start) // never backwards
	require.Equal(t, start.Add(time.Hour), f.Now())
	f.Set(start.Add(3 * time.Hour))
	require.Equal(t, start.Add(2*time.Hour), <-late.C())
	require.Zero(t, f.Waiters())
	select {
	case <-stopped.C():
		t.Fatal("a stopped timer fired")
	default:
	}
}

func TestFakeBlockUntilWaitsForATimer(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	done := make(chan struct{})
	go func() {
		<-f.NewTimer(time.Second).C()
		close(done)
	}()
	f.BlockUntil(1)
	f.Advance(time.Second)
	<-done
}

func TestOrAndSince(t *testing.T) {
	require.Equal(t, Real, Or(nil))
	f := NewFake(time.Unix(100, 0))
	require.Equal(t, Clock(f), Or(f))
	f.Advance(5 * time.Second)
	require.Equal(t, 5*time.Second, Since(f, time.Unix(100, 0)))
	tm := Real.NewTimer(time.Millisecond)
	<-tm.C()
}
