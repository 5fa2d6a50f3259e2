package config

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"36h", 36 * time.Hour},
		{"15m", 15 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"14d", 14 * day},
		{"2w", 14 * day},
		{"1d12h", 36 * time.Hour},
		{"2w3d", 17 * day},
		{"0.5d", 12 * time.Hour},
		{"1.5h", 90 * time.Minute},
		{"500ms", 500 * time.Millisecond},
		{"0", 0},
		{" 3d ", 3 * day},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "-1d", "-5m", "30", "d", "3x", "1d-2h", "abc", "99999999999w"} {
		if got, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, got)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{30 * day, "30d"},
		{36 * time.Hour, "1d12h"},
		{15 * time.Minute, "15m"},
		{10 * time.Minute, "10m"},
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{day + 90*time.Second, "1d1m30s"},
		{1500 * time.Millisecond, "1.5s"},
	}
	for _, tt := range tests {
		got := FormatDuration(tt.in)
		if got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.in, got, tt.want)
		}
		back, err := ParseDuration(got)
		if err != nil || back != tt.in {
			t.Errorf("ParseDuration(FormatDuration(%v)) = %v, %v", tt.in, back, err)
		}
	}
}

func TestCheckCron(t *testing.T) {
	valid := []string{
		"0 8 * * MON", "*/15 * * * *", "0 9-18 * * 1-5", "0 0 1,15 * *", "30 2 * JAN-MAR sun",
		"@hourly", "@daily", "@weekly", "@every 15m", "@every 1h30m", "CRON_TZ=Asia/Shanghai 0 8 * * *", "0 8 ? * MON",
	}
	for _, s := range valid {
		if err := checkCron(s); err != nil {
			t.Errorf("checkCron(%q) = %v, want nil", s, err)
		}
	}
	invalid := []string{
		"", "0 8 * *", "0 0 8 * * MON", "60 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *",
		"0 0 * * 7", "0 0 * * FUNDAY", "*/0 * * * *", "5-1 * * * *", "@every", "@every 1d", "@every -5m",
		"@fortnightly", "CRON_TZ=Mars/Olympus 0 8 * * *", "0 0 L * *",
	}
	for _, s := range invalid {
		if err := checkCron(s); err == nil {
			t.Errorf("checkCron(%q) = nil, want an error", s)
		}
	}
}

func TestParseDate(t *testing.T) {
	d, err := ParseDate("2026-10-01")
	if err != nil || d != (Date{2026, time.October, 1}) || d.String() != "2026-10-01" {
		t.Errorf("ParseDate(2026-10-01) = %v, %v", d, err)
	}
	if got := (Date{2026, 12, 31}).AddDays(1); got != (Date{2027, 1, 1}) {
		t.Errorf("AddDays(1) = %v, want 2027-01-01", got)
	}
}

func TestJoinPath(t *testing.T) {
	tests := []struct {
		path, key, want string
	}{
		{"", "sheets", "sheets"},
		{"sheets[0].columns", "客户编号", "sheets[0].columns.客户编号"},
		{"sheets[0].columns", "Last Contact", `sheets[0].columns["Last Contact"]`},
		{"sheets[0].columns", "a.b", `sheets[0].columns["a.b"]`},
	}
	for _, tt := range tests {
		got := joinPath(tt.path, tt.key)
		if got != tt.want {
			t.Errorf("joinPath(%q, %q) = %q, want %q", tt.path, tt.key, got, tt.want)
		}
		if p := parentPath(got); p != tt.path {
			t.Errorf("parentPath(%q) = %q, want %q", got, p, tt.path)
		}
	}
}
