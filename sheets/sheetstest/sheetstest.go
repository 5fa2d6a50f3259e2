// Package sheetstest starts the Sheets API emulator (package emulator) for
// tests: Start serves it on loopback until the test ends. The emulator's
// types are re-exported here so tests name them sheetstest.Options,
// sheetstest.Faults and so on.
//
// Only tests import this package: it links testing and net/http/httptest,
// which the sheetaudit binary must not. The emulator command imports
// sheets/sheetstest/emulator instead.
package sheetstest

import (
	"net/http/httptest"
	"testing"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest/emulator"
)

// The emulator's API, re-exported for tests.
type (
	Server        = emulator.Server
	Options       = emulator.Options
	Faults        = emulator.Faults
	FaultKind     = emulator.FaultKind
	Quota         = emulator.Quota
	RequestRecord = emulator.RequestRecord
	Change        = emulator.Change
	Editor        = emulator.Editor
)

// Fault kinds (see emulator.FaultKind).
const (
	FaultNone  = emulator.FaultNone
	FaultQuota = emulator.FaultQuota
	Fault500   = emulator.Fault500
	Fault503   = emulator.Fault503
	FaultCut   = emulator.FaultCut
)

// ErrNotFound is returned by the direct-access methods for an unknown
// spreadsheet or tab.
var ErrNotFound = emulator.ErrNotFound

// NewServer wires a Server; it starts nothing.
func NewServer(opts Options) *Server { return emulator.NewServer(opts) }

// Start serves a new Server on 127.0.0.1:0 until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := emulator.NewServer(opts)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	s.SetBaseURL(hs.URL)
	return s
}

// PersonName is the Drive Activity "people/…" id the emulator gives an
// account's actions.
func PersonName(account string) string { return emulator.PersonName(account) }
