package clientgen

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var base = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func TestRowsDeterministic(t *testing.T) {
	a, b := Rows(7, 300, base), Rows(7, 300, base)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different rows (-first +second):\n%.2000s", diff)
	}
	if cmp.Equal(a, Rows(8, 300, base)) {
		t.Error("seeds 7 and 8 give identical rows")
	}
}

func TestRowsShape(t *testing.T) {
	rows := Rows(20261120, 300, base)
	if len(rows) != 301 {
		t.Fatalf("%d rows, want header + 300", len(rows))
	}
	if diff := cmp.Diff(Header(), rows[0]); diff != "" {
		t.Errorf("header mismatch (-want +got):\n%s", diff)
	}
	names := map[string]bool{}
	for _, r := range rows[1:] {
		names[r[iName]] = true
	}
	mobile := regexp.MustCompile(`^(\+86[ -]?)?1[3-9]\d[ ]?\d{4}[ ]?\d{4}$`)
	landline := regexp.MustCompile(`^(0\d{2,3}-\d{7,8}(-\d{3})?|\+86 \d{2,3} \d{7,8})$`)
	email := regexp.MustCompile(`^[a-z0-9.]+@[a-z0-9.-]+\.[a-z]{2,}$`)
	earliest := base.AddDate(0, 0, -FollowUpDays)
	subsidiaries := 0
	for i, r := range rows[1:] {
		if i == BlankRow {
			if slices.ContainsFunc(r, func(s string) bool { return s != "" }) {
				t.Errorf("row %d should be blank: %q", i, r)
			}
			continue
		}
		if len(r) != len(Header()) {
			t.Errorf("row %d has %d cells", i, len(r))
		}
		if i != MistakePhone && !mobile.MatchString(r[iPhone]) && !landline.MatchString(r[iPhone]) {
			t.Errorf("row %d phone %q is neither a mobile nor a landline", i, r[iPhone])
		}
		if i != MistakeEmail && !email.MatchString(r[iEmail]) {
			t.Errorf("row %d email %q malformed", i, r[iEmail])
		}
		if d, err := time.Parse(DateLayout, r[iFollowUp]); err != nil || (i != MistakeFutureDate && (d.Before(earliest) || d.After(base))) {
			t.Errorf("row %d follow-up %q outside the %d days before %s", i, r[iFollowUp], FollowUpDays, base.Format(DateLayout))
		}
		if g := r[iGroup]; g != "" {
			subsidiaries++
			if g != MissingGroup && !names[g] {
				t.Errorf("row %d names group %q, which is no row's 客户名称", i, g)
			}
		}
		if r[iStage] == "签约完成" && i != MistakeNoContract && (r[iContract] == "" || r[iAmount] == "") {
			t.Errorf("row %d signed without contract or amount: %q", i, r)
		}
		if !slices.Contains(owners, r[iOwner]) {
			t.Errorf("row %d owner %q unknown", i, r[iOwner])
		}
	}
	if subsidiaries < 50 {
		t.Errorf("%d rows name a group, want a realistic share (≥ 50 of 300)", subsidiaries)
	}
}

func TestRowsMistakes(t *testing.T) {
	rows := Rows(1, 300, base)[1:]
	checks := []struct {
		name string
		ok   bool
	}{
		{"malformed phone", rows[MistakePhone][iPhone] == "139 1234 567"},
		{"email without @", !strings.Contains(rows[MistakeEmail][iEmail], "@")},
		{"duplicate 客户编号", rows[MistakeDuplicateID][iID] == rows[MistakeDuplicateID-1][iID]},
		{"empty 销售进展", rows[MistakeEmptyStage][iStage] == ""},
		{"unknown 行业", rows[MistakeIndustry][iIndustry] == "互联网"},
		{"missing group", slices.ContainsFunc(rows, func(r []string) bool { return r[iGroup] == MissingGroup })},
		{"future date", rows[MistakeFutureDate][iFollowUp] > base.Format(DateLayout)},
		{"签约完成 without 合同编号", rows[MistakeNoContract][iStage] == "签约完成" && rows[MistakeNoContract][iContract] == ""},
		{"note starting with =", strings.HasPrefix(rows[MistakeFormulaNote][iNote], "=")},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("mistake %q not present", c.name)
		}
	}
}

// Benchmarks build big tables with the same generator; names stay unique.
func TestRowsLargeUnique(t *testing.T) {
	rows := Rows(5, 20000, base)
	seen := map[string]bool{}
	for i, r := range rows[1:] {
		if i == BlankRow {
			continue
		}
		if seen[r[iName]] {
			t.Fatalf("row %d repeats name %q", i, r[iName])
		}
		seen[r[iName]] = true
	}
}
