package audit

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	tests := []struct {
		in   string
		want string // YYYY-MM-DD, "" when not a date
	}{
		{"2026-11-29", "2026-11-29"},
		{"2026/11/29", "2026-11-29"},
		{"2026/1/5", "2026-01-05"},
		{"2026.11.29", "2026-11-29"},
		{"2026年11月29日", "2026-11-29"},
		{"2026年1月5号", "2026-01-05"},
		{"2026年11月29", "2026-11-29"},
		{"20261129", "2026-11-29"},
		{"２０２６－１１－２９", "2026-11-29"},
		{"２０２６年１１月２９日", "2026-11-29"},
		{"\u3000 2026-11-29 ", "2026-11-29"},
		{"11/29/2026", "2026-11-29"},
		{"1/5/2026", "2026-01-05"},
		{"29/11/2026", "2026-11-29"},
		{"29.11.2026", "2026-11-29"},
		{"46355", "2026-11-29"},
		{"46355.75", "2026-11-29"},
		{"18264", "1950-01-01"},
		{"2026-11-29 14:30", "2026-11-29"},
		{"2026-11-29T14:30:00Z", "2026-11-29"},
		{"2024-02-29", "2024-02-29"},

		{"", ""},
		{"2026", ""},  // a year, not a serial
		{"12345", ""}, // serial out of the plausible range
		{"200000", ""},
		{"2025-02-29", ""},
		{"2026-13-01", ""},
		{"2026-11-31", ""},
		{"2026-11", ""},
		{"2026-11/29", ""},
		{"2026年11-29", ""},
		{"11/29/26", ""},
		{"2026-11-29 下午", ""},
		{"2026-11-29 25:00", ""},
		{"明天", ""},
		{"46355.5.1", ""},
		{"-46355", ""},
		{"46355e0", ""},
	}
	for _, tt := range tests {
		got, ok := ParseDate(tt.in, shanghai)
		if tt.want == "" {
			if ok {
				t.Errorf("ParseDate(%q) = %v, want not a date", tt.in, got)
			}
			continue
		}
		if !ok || got.Format("2006-01-02") != tt.want || got.Location() != shanghai || got.Hour() != 0 {
			t.Errorf("ParseDate(%q) = %v, %v, want midnight %s in CST", tt.in, got, ok, tt.want)
		}
	}
}

func TestParseDateTime(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	tests := []struct {
		in   string
		want string // RFC 3339 in CST, "" when not a date-time
	}{
		{"2026-11-29", "2026-11-29T00:00:00+08:00"},
		{"2026-11-29 14:30", "2026-11-29T14:30:00+08:00"},
		{"2026/11/29 9:05:07", "2026-11-29T09:05:07+08:00"},
		{"2026-11-29T14:30:00.250", "2026-11-29T14:30:00.25+08:00"},
		{"2026-11-29T06:30:00Z", "2026-11-29T14:30:00+08:00"},
		{"2026-11-29T14:30:00+08:00", "2026-11-29T14:30:00+08:00"},
		{"2026-11-28 22:30:00 -0800", "2026-11-29T14:30:00+08:00"},
		{"2026年11月29日 14:30", "2026-11-29T14:30:00+08:00"},
		{"２０２６－１１－２９　１４：３０", "2026-11-29T14:30:00+08:00"},
		{"46355.5", "2026-11-29T12:00:00+08:00"},
		{"11/29/2026 14:30:00", "2026-11-29T14:30:00+08:00"},

		{"2026-11-29 14", ""},
		{"2026-11-29 14:3", ""},
		{"2026-11-29 24:00", ""},
		{"2026-11-29 14:60", ""},
		{"2026-11-29 14:30 PM", ""},
		{"2026-11-29 14:30+0800x", ""},
		{"2026-11-2914:30", ""},
	}
	for _, tt := range tests {
		got, ok := ParseDateTime(tt.in, shanghai)
		if tt.want == "" {
			if ok {
				t.Errorf("ParseDateTime(%q) = %v, want not a date-time", tt.in, got)
			}
			continue
		}
		if !ok || got.In(shanghai).Format(time.RFC3339Nano) != tt.want {
			t.Errorf("ParseDateTime(%q) = %v, %v, want %s", tt.in, got.In(shanghai).Format(time.RFC3339Nano), ok, tt.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true},
		{"42", 42, true},
		{"-5", -5, true},
		{"+5", 5, true},
		{"1234.5", 1234.5, true},
		{"1,234.5", 1234.5, true},
		{"1,234,567", 1234567, true},
		{"¥1,234", 1234, true},
		{"￥1,234.50", 1234.5, true},
		{"$ 99", 99, true},
		{"-¥1,234", -1234, true},
		{"¥-1,234", -1234, true},
		{"(1,234)", -1234, true},
		{"1,234元", 1234, true},
		{"１２３４．５", 1234.5, true},
		{"１，２３４", 1234, true},
		{"−7", -7, true},
		{"15%", 0.15, true},
		{"1e3", 1000, true},
		{"2.5E-3", 0.0025, true},
		{".5", 0.5, true},
		{"0.1", 0.1, true},
		{"12345678901234567890", 12345678901234567890, true},
		{"3.14159265358979323846", 3.14159265358979323846, true},
		{" 7 ", 7, true},

		{"", 0, false},
		{"-", 0, false},
		{"abc", 0, false},
		{"1,23", 0, false},
		{"12,34,567", 0, false},
		{"1234,567", 0, false},
		{",123", 0, false},
		{"1.2.3", 0, false},
		{"1 234", 0, false},
		{"1,234e3", 0, false},
		{"1e", 0, false},
		{"1e+", 0, false},
		{"e5", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"1e400", 0, false},
		{"0x10", 0, false},
		{"十二", 0, false},
		{"1万", 0, false},
		{"%", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseNumber(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseNumber(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseInteger(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"42", 42, true},
		{"-1,200", -1200, true},
		{"１２０", 120, true},
		{"¥300", 300, true},
		{"1e3", 1000, true},
		{"9007199254740992", 1 << 53, true},

		{"1.5", 0, false},
		{"50%", 0, false},
		{"9007199254740994", 0, false},
		{"x", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseInteger(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseInteger(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseBool(t *testing.T) {
	tests := []struct {
		in        string
		value, ok bool
	}{
		{"TRUE", true, true}, {"true", true, true}, {"True", true, true}, {"T", true, true},
		{"yes", true, true}, {"Y", true, true}, {"1", true, true}, {"是", true, true},
		{"ＴＲＵＥ", true, true},
		{"FALSE", false, true}, {"false", false, true}, {"f", false, true}, {"No", false, true},
		{"n", false, true}, {"0", false, true}, {"否", false, true},
		{"", false, false}, {"maybe", false, false}, {"对", false, false}, {"2", false, false},
		{"truee", false, false}, {"yes!", false, false},
	}
	for _, tt := range tests {
		v, ok := ParseBool(tt.in)
		if v != tt.value || ok != tt.ok {
			t.Errorf("ParseBool(%q) = %v, %v, want %v, %v", tt.in, v, ok, tt.value, tt.ok)
		}
	}
}

func TestIsEmail(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"zhang.san@corp.cn", true},
		{"li+sales@mail.example.com", true},
		{"a_b-c@example-mail.org", true},
		{"Wang.Wu@Example.COM", true},
		{"张三@例子.中国", true},
		{`"zhang san"@corp.cn`, true},
		{" x@y.cn ", true},

		{"", false},
		{"zhang", false},
		{"@corp.cn", false},
		{"zhang@", false},
		{"zhang@corp", false},
		{"zhang@corp.c", false},
		{"zhang@corp.", false},
		{"zhang@.corp.cn", false},
		{"zhang@corp..cn", false},
		{"zhang@-corp.cn", false},
		{"zhang@1.2.3.4", false},
		{"zhang@[1.2.3.4]", false},
		{"zhang san@corp.cn", false},
		{".zhang@corp.cn", false},
		{"zhang.@corp.cn", false},
		{"zh..ang@corp.cn", false},
		{"张三＠corp.cn", false},
		{"ｚｈａｎｇ@corp.cn", false},
		{"zhang@corp。cn", false},
		{"Zhang San <zhang@corp.cn>", false},
		{"zhang@corp.cn, li@corp.cn", false},
		{"zhang@@corp.cn", false},
		{`"zhang"@corp`, false},
	}
	for _, tt := range tests {
		if got := IsEmail(tt.in); got != tt.ok {
			t.Errorf("IsEmail(%q) = %v, want %v", tt.in, got, tt.ok)
		}
	}
}

func TestIsPhone(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"13800138000", true},
		{"138 0013 8000", true},
		{"138-0013-8000", true},
		{"+86 138 0013 8000", true},
		{"+8613800138000", true},
		{"0086 13800138000", true},
		{"86 13800138000", true},
		{"１３８００１３８０００", true},
		{"＋８６ １３８ ００１３ ８０００", true},
		{"199 1234 5678", true},
		{"010-6552 9988", true},
		{"010-65529988", true},
		{"(010) 6552 9988", true},
		{"021-5888 6666", true},
		{"0755-8888 6666", true},
		{"0571-888 6666", true},
		{"+86 10 6552 9988", true},
		{"+86 (0)10 6552 9988", true},
		{"010-6552 9988 转 123", true},
		{"010-65529988转123", true},
		{"010-6552 9988 分机 8", true},
		{"010-6552 9988 ext. 123", true},
		{"010-6552 9988 x123", true},
		{"010-6552 9988#123", true},
		{"010-65529988-123", true},
		{"０１０－６５５２９９８８－１２３", true},
		{"400-820-8820", true},
		{"800 820 8820", true},
		{"400-820-8820转2", true},
		{"+1 415 555 2671", true},
		{"+852 2345 6789", true},
		{"00852 2345 6789", true},
		{"+44 20 7946 0958", true},

		{"", false},
		{"1381234", false},
		{"1380013800", false},
		{"138001380001", false},
		{"12800138000", false},
		{"6552 9988", false},
		{"010-655 9988", false},
		{"001-65529988", false},
		{"0755-888 666", false},
		{"010-0552 9988", false},
		{"+86 1381234", false},
		{"+86 010 6552 9988 1", false},
		{"+1234567", false},
		{"+1234567890123456", false},
		{"+0 123 4567 890", false},
		{"138-0013-8000-12", false},
		{"010-6552 9988 转", false},
		{"010-6552 9988 转 1234567", false},
		{"010-6552 9988 ext abc", false},
		{"138 0013 8000 / 139 0013 9000", false},
		{"tel: 13800138000", false},
		{"张三 13800138000", false},
		{"138 0013 8000 ++", false},
		{"1+3800138000", false},
	}
	for _, tt := range tests {
		if got := IsPhone(tt.in); got != tt.ok {
			t.Errorf("IsPhone(%q) = %v, want %v", tt.in, got, tt.ok)
		}
	}
}

func TestIsURL(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://www.example.com", true},
		{"http://example.com/path?q=1#top", true},
		{"HTTPS://Example.COM", true},
		{"https://corp.cn:8443/客户/详情", true},
		{"https://例子.中国", true},
		{"http://localhost:3000/", true},
		{"http://192.168.1.10/admin", true},
		{"http://[2001:db8::1]:8080/", true},

		{"", false},
		{"www.example.com", false},
		{"ftp://example.com", false},
		{"https://", false},
		{"https:///path", false},
		{"https://example", false},
		{"https://exa mple.com", false},
		{"https://example.com/a b", false},
		{"https://user:pw@example.com", false},
		{"https://example.com:0", false},
		{"https://example.com:99999", false},
		{"https://1.2.3", false},
		{"https://[::1", false},
		{"https://ｗｗｗ.example.com", false},
		{"javascript:alert(1)", false},
		{"=HYPERLINK(\"https://x.com\")", false},
	}
	for _, tt := range tests {
		if got := IsURL(tt.in); got != tt.ok {
			t.Errorf("IsURL(%q) = %v, want %v", tt.in, got, tt.ok)
		}
	}
}

func TestFoldWidth(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"客户", "客户"},
		{"０１２３４５６７８９", "0123456789"},
		{"ＡＢＣ－＋．／＠", "ABC-+./@"},
		{"１\u3000２", "1 2"},
		{"客户１号", "客户1号"},
		{"￥", "￥"}, // U+FFE5 is outside the ASCII forms block
	}
	for _, tt := range tests {
		if got := foldWidth(tt.in); got != tt.want {
			t.Errorf("foldWidth(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParsersDoNotAllocate(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	checks := map[string]func(){
		"date":    func() { ParseDate("2026年11月29日", loc) },
		"number":  func() { ParseNumber("¥1,234.50") },
		"integer": func() { ParseInteger("1,200") },
		"bool":    func() { ParseBool("TRUE") },
		"email":   func() { IsEmail("zhang.san@corp.cn") },
		"phone":   func() { IsPhone("+86 138 0013 8000 转 12") },
		"url":     func() { IsURL("https://www.example.com/a?b=c") },
	}
	for name, f := range checks {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations per call, want 0", name, n)
		}
	}
}

func TestParseDateNilLocation(t *testing.T) {
	got, ok := ParseDate("2026-11-29", nil)
	if want := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC); !ok || !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("ParseDate(nil loc) = %v, %v, want %v", got, ok, want)
	}
	got, ok = ParseDateTime("2026-11-29 14:30", nil)
	if want := time.Date(2026, 11, 29, 14, 30, 0, 0, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("ParseDateTime(nil loc) = %v, %v, want %v", got, ok, want)
	}
}
