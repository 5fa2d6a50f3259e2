package sheets_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets"
)

// protectServer answers spreadsheets.get and the protected-range requests
// of spreadsheets.batchUpdate in their documented shapes, keeping state.
type protectServer struct {
	mu     sync.Mutex
	ranges map[int64][]map[string]any // by sheetId
	nextID int64
	writes int
}

func (p *protectServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	titles := map[int64]string{0: "客户", 7: "Change Log", 9: "Needs Review"}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v4/spreadsheets/book":
		var sheetsOut []any
		for _, id := range []int64{0, 7, 9} {
			sheetsOut = append(sheetsOut, map[string]any{
				"properties":      map[string]any{"sheetId": id, "title": titles[id]},
				"protectedRanges": p.ranges[id],
			})
		}
		driveJSON(w, map[string]any{"sheets": sheetsOut})
	case r.Method == http.MethodPost && r.URL.Path == "/v4/spreadsheets/book:batchUpdate":
		var body struct {
			Requests []struct {
				AddProtectedRange *struct {
					ProtectedRange map[string]any `json:"protectedRange"`
				} `json:"addProtectedRange"`
				UpdateProtectedRange *struct {
					ProtectedRange map[string]any `json:"protectedRange"`
					Fields         string         `json:"fields"`
				} `json:"updateProtectedRange"`
			} `json:"requests"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			driveJSONError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "", err.Error())
			return
		}
		p.writes++
		for _, q := range body.Requests {
			switch {
			case q.AddProtectedRange != nil:
				pr := q.AddProtectedRange.ProtectedRange
				id := int64(pr["range"].(map[string]any)["sheetId"].(float64))
				p.nextID++
				pr["protectedRangeId"] = p.nextID
				p.ranges[id] = append(p.ranges[id], pr)
			case q.UpdateProtectedRange != nil:
				pr := q.UpdateProtectedRange.ProtectedRange
				for _, rs := range p.ranges {
					for _, have := range rs {
						if toInt(have["protectedRangeId"]) == toInt(pr["protectedRangeId"]) && q.UpdateProtectedRange.Fields == "warningOnly" {
							have["warningOnly"] = pr["warningOnly"]
						}
					}
				}
			default:
				driveJSONError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "", "unexpected request")
				return
			}
		}
		driveJSON(w, map[string]any{"spreadsheetId": "book"})
	default:
		driveJSONError(w, http.StatusNotFound, "NOT_FOUND", "", "not found")
	}
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case int64:
		return x
	}
	return -1
}

func TestProtectTabs(t *testing.T) {
	ctx := context.Background()
	fake := &protectServer{ranges: map[int64][]map[string]any{
		7: {{"protectedRangeId": float64(100), "description": "the boss's own", "warningOnly": false, "range": map[string]any{"sheetId": float64(7)}}},
	}, nextID: 100}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	wb, err := sheets.New(ctx, sheets.Options{SpreadsheetID: "book", Endpoint: srv.URL + "/", Logger: zaptest.NewLogger(t),
		Retry: sheets.Retry{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	tabs := []string{"Change Log", "Needs Review"}
	for i, want := range []int{2, 0} {
		n, err := wb.ProtectTabs(ctx, tabs, false)
		if err != nil || n != want {
			t.Fatalf("ProtectTabs #%d = %d, %v; want %d", i+1, n, err, want)
		}
	}
	if fake.writes != 1 {
		t.Errorf("%d batchUpdates, want 1: a second run writes nothing", fake.writes)
	}
	for _, id := range []int64{7, 9} {
		own := fake.ranges[id][len(fake.ranges[id])-1]
		if own["warningOnly"] != true {
			t.Errorf("tab %d protection %v, want warning only", id, own)
		}
	}
	if n, err := wb.ProtectTabs(ctx, tabs, true); err != nil || n != 2 {
		t.Fatalf("ProtectTabs(strict) = %d, %v; want 2 updates", n, err)
	}
	for _, id := range []int64{7, 9} {
		own := fake.ranges[id][len(fake.ranges[id])-1]
		if own["warningOnly"] != false {
			t.Errorf("tab %d protection %v, want strict", id, own)
		}
	}
	if len(fake.ranges[7]) != 2 || fake.ranges[7][0]["description"] != "the boss's own" || fake.ranges[7][0]["warningOnly"] != false {
		t.Errorf("someone else's protection was touched: %v", fake.ranges[7])
	}
	if _, err := wb.ProtectTabs(ctx, []string{"Missing"}, false); !errors.Is(err, audit.ErrNotFound) {
		t.Errorf("ProtectTabs(missing tab) error %v, want ErrNotFound", err)
	}
}
