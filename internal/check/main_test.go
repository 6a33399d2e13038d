package check_test

import (
	"os"
	"testing"

	"github.com/drift-schema/drift/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
