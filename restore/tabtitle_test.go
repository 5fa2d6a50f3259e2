package restore_test

import (
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/restore"
)

// A Restored tab is named in the team's language, and on .xlsx within
// Excel's 31 characters.
func TestTabTitle(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 5, 0, 0, time.UTC)
	id := "20261203T090500Z-1a2b3c4d"
	for _, tt := range []struct {
		short  bool
		locale string
		want   string
	}{
		{false, "", "Restored 20261203T090500Z-1a2b3c4d 2026-12-03 0905"},
		{true, "", "Restored 261203 0905 1a2b3c4d"},
		{false, "zh-CN", "已恢复 20261203T090500Z-1a2b3c4d 2026-12-03 0905"},
		{true, "zh-CN", "已恢复 261203 0905 1a2b3c4d"},
	} {
		got := restore.TabTitle(id, at, tt.short, tt.locale)
		if got != tt.want {
			t.Errorf("TabTitle(short %v, %q) = %q, want %q", tt.short, tt.locale, got, tt.want)
		}
		if tt.short && len([]rune(got)) > 31 {
			t.Errorf("TabTitle(short, %q) = %q: %d characters, over Excel's 31", tt.locale, got, len([]rune(got)))
		}
	}
}
