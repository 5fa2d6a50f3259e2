package report_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

var (
	header  = []string{"客户编号", "客户名称", "负责人", "销售进展", "最后跟进日期"}
	owners  = []string{"张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十", "陈静", "杨磊", "刘洋", "黄芳"}
	stages  = []string{"初步洽谈", "需求确认", "方案报价", "商务谈判", "签约完成", "流失"}
	sheetID = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd"
)

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	return loc
}

func policy() audit.StalePolicy {
	return audit.StalePolicy{
		DateColumn: "最后跟进日期", OwnerColumn: "负责人", StageColumn: "销售进展", CustomerColumn: "客户名称",
		Default: 30 * 24 * time.Hour,
		Stages: map[string]time.Duration{"初步洽谈": 14 * 24 * time.Hour, "需求确认": 14 * 24 * time.Hour,
			"方案报价": 10 * 24 * time.Hour, "商务谈判": 7 * 24 * time.Hour, "签约完成": 90 * 24 * time.Hour},
		StageOrder: []string{"初步洽谈", "需求确认", "方案报价", "商务谈判", "签约完成"},
		Exempt:     []string{"流失"},
		WarnBefore: 3 * 24 * time.Hour,
	}
}

// clients is a sheet of n rows as of now: most follow-ups long ago, so
// that about four in five active rows are stale, like the example sheet.
func clients(n int, now time.Time) [][]string {
	rows := [][]string{header}
	for i := 1; i <= n; i++ {
		stage := stages[i%4]
		switch {
		case i%20 == 0:
			stage = "流失"
		case i%10 == 5:
			stage = "签约完成"
		}
		days := 20 + (i*37)%120
		if i%10 == 3 {
			days = 2 // recently followed up
		}
		rows = append(rows, []string{
			fmt.Sprintf("C%05d", i), fmt.Sprintf("上海某某%03d有限公司", i), owners[i%len(owners)], stage,
			now.AddDate(0, 0, -days).Format("2006-01-02"),
		})
	}
	return rows
}

// memStore is the in-memory store of the conformance fakes, which lists
// versions; each version carries the time it was taken.
func memStore(t *testing.T, _ *audittest.Clock) *store {
	t.Helper()
	return &store{Store: audittest.NewStore()}
}

// store adds a listing and report files to the in-memory store.
type store struct {
	*audittest.Store
	mu    sync.Mutex
	infos []audit.SnapshotInfo
	files map[string][]byte
}

func (s *store) Put(ctx context.Context, snap *audit.Snapshot) (audit.SnapshotInfo, error) {
	info, err := s.Store.Put(ctx, snap)
	if err == nil {
		s.mu.Lock()
		s.infos = append(s.infos, info)
		s.mu.Unlock()
	}
	return info, err
}

// List returns the versions in the order they were put (tests put them
// in time order).
func (s *store) List(_ context.Context, sheet string) ([]audit.SnapshotInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []audit.SnapshotInfo
	for _, in := range s.infos {
		if in.Sheet == sheet {
			out = append(out, in)
		}
	}
	return out, nil
}

func (s *store) PutReport(_ context.Context, sheet, name string, data []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string][]byte{}
	}
	s.files["reports/"+sheet+"/"+name] = data
	return "mem://reports/" + sheet + "/" + name, nil
}

func spec() audit.Spec {
	p := policy()
	return audit.Spec{Name: "clients", Tab: "客户", HeaderRow: 1, Key: []string{"客户编号"}, Stale: &p}
}

func put(t *testing.T, s *store, at time.Time, values [][]string, google bool) {
	t.Helper()
	meta := audit.TabMeta{Title: "客户"}
	if google {
		meta = audit.TabMeta{SpreadsheetID: sheetID, TabID: 42, Title: "客户",
			URL: "https://docs.google.com/spreadsheets/d/" + sheetID + "/edit#gid=42"}
	}
	if _, err := s.Put(context.Background(), &audit.Snapshot{Sheet: "clients", Time: at, Meta: meta, HeaderRow: 1,
		Key: []string{"客户编号"}, Values: values}); err != nil {
		t.Fatal(err)
	}
}
