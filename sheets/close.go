package sheets

import "io"

var _ io.Closer = (*Workbook)(nil)

// Close forgets the cached metadata and closes the idle connections of the
// workbook's HTTP client, so a daemon that opens a Workbook per cycle does
// not keep one idle connection pool per cycle. It never fails; the Workbook
// stays usable (the next call reads the metadata again).
func (w *Workbook) Close() error {
	w.mu.Lock()
	w.cached = nil
	w.mu.Unlock()
	if w.hc != nil {
		w.hc.CloseIdleConnections()
	}
	return nil
}
