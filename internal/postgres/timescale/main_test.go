package timescale_test

import (
	"os"
	"testing"

	"github.com/drift-schema/drift/internal/timescaletest"
)

func TestMain(m *testing.M) { os.Exit(timescaletest.Main(m)) }
