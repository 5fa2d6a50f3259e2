package audit_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

func TestAttribute(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	zhang := audit.Person{ID: "people/101", Name: "张三", Email: "zhangsan@corp.cn"}
	li := audit.Person{ID: "people/102", Name: "李四", Email: "lisi@corp.cn"}
	self := audit.Person{ID: "people/900", Email: "sa@proj.iam.gserviceaccount.com"}
	revs := []audit.Revision{
		{ID: "1", Modified: at(5), User: zhang},
		{ID: "2", Modified: at(20), User: li},
		{ID: "3", Modified: at(25), User: zhang},
		{ID: "4", Modified: at(40), User: self},
	}
	edit := func(m int, who ...audit.Person) audit.Activity {
		return audit.Activity{Start: at(m), End: at(m), Action: "edit", Actors: who}
	}
	acts := []audit.Activity{
		edit(5, audit.Person{ID: "people/101"}), // named by id only
		{Start: at(16), End: at(16), Action: "comment", Actors: []audit.Person{li}},
		edit(50, audit.Person{ID: "people/900", Me: true}),
		edit(65, li), edit(70, zhang),
	}
	known := audit.KnownPeople([]audit.Permission{{ID: "101", Type: "user", DisplayName: "张三", Email: "zhangsan@corp.cn"}}, nil)
	cases := []struct {
		name         string
		since, until int
		acts         []audit.Activity
		locale       string
		want, source string
	}{
		{"one editor by the activity log, resolved from the sharing", 0, 10, acts, "en", "张三", audit.SourceActivity},
		{"a comment is not an edit; revisions fill in", 10, 30, acts, "en", "one of: 李四, 张三", audit.SourceRevisions},
		{"two editors in one window", 60, 75, acts, "en", "one of: 李四, 张三", audit.SourceActivity},
		{"zh-CN candidates", 60, 75, acts, "zh-CN", "其中一人：李四, 张三", audit.SourceActivity},
		{"only sheetaudit itself edited (activity)", 45, 55, acts, "en", audit.SelfEditor, audit.SourceActivity},
		{"only sheetaudit itself edited (revision, by address)", 35, 45, nil, "en", audit.SelfEditor, audit.SourceRevisions},
		{"nothing recorded", 80, 90, acts, "en", "unknown", ""},
		{"nothing recorded, zh-CN", 80, 90, nil, "zh-CN", "未知", ""},
		{"no activity log: revisions", 0, 30, nil, "en", "one of: 李四, 张三", audit.SourceRevisions},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := audit.Attribute(audit.AttributionInput{Since: at(tc.since), Until: at(tc.until), Revisions: revs,
				Activities: tc.acts, Self: "sa@proj.iam.gserviceaccount.com", Known: known, Locale: tc.locale})
			if got.Editor != tc.want || got.Source != tc.source {
				t.Errorf("Attribute = %q from %q, want %q from %q", got.Editor, got.Source, tc.want, tc.source)
			}
		})
	}
	got := audit.Attribute(audit.AttributionInput{Since: at(0), Until: at(10), Activities: acts, Known: known})
	if diff := cmp.Diff([]audit.Person{zhang}, got.Editors); diff != "" {
		t.Errorf("Editors mismatch (-want +got):\n%s", diff)
	}
}
