package snapshot

import (
	"context"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

func TestCurrent(t *testing.T) {
	ctx := context.Background()
	st := memOpener(t, audittest.NewClock(time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)), Options{})
	values := [][]string{{"id", "v"}, {"1", "华为"}}
	if _, same, err := st.Current(ctx, &audit.Snapshot{Sheet: "s", Values: values}); err != nil || same {
		t.Fatalf("Current on an empty store = %v, %v; want not current", same, err)
	}
	info, err := st.Put(ctx, &audit.Snapshot{Sheet: "s", Values: values})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		snap     *audit.Snapshot
		wantSame bool
	}{
		{"same values", &audit.Snapshot{Sheet: "s", Values: [][]string{{"id", "v"}, {"1", "华为"}}}, true},
		{"edited cell", &audit.Snapshot{Sheet: "s", Values: [][]string{{"id", "v"}, {"1", "腾讯"}}}, false},
		{"formulas now captured", &audit.Snapshot{Sheet: "s", Values: values, Formulas: [][]string{}}, false},
	}
	for _, tt := range tests {
		id, same, err := st.Current(ctx, tt.snap)
		if err != nil || same != tt.wantSame || id != info.ID {
			t.Errorf("%s: Current = %q, %v, %v; want %q, %v", tt.name, id, same, err, info.ID, tt.wantSame)
		}
	}
}
