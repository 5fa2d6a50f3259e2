package audit

import (
	"math"
	"net/mail"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Value parsing for the column types of validation rules. Cells arrive as the
// text users see, typed by hand on phones and PCs with Chinese input methods,
// so every parser here accepts full-width digits and punctuation
// (２０２６－１１－２９, ＋８６) and ignores surrounding white space, including
// the ideographic space. The parsers are hand-written scanners: validation
// calls them for every cell of a million-row sheet, and on valid input they
// do not allocate.

// Serial dates are day counts from 1899-12-30, the epoch Google Sheets and
// Excel share for dates after February 1900. A cell holds a serial when the
// snapshot read the underlying value (UNFORMATTED) or when a date cell lost
// its format. A plain number counts as a serial only between these bounds
// (1950-01-01 and 2199-12-31), so that a year ("2026"), an amount or a
// truncated date typed into a date column is reported, not read as a day in
// 1905.
const (
	minSerial = 18264
	maxSerial = 109574
)

var serialEpoch = civil{1899, 12, 30}

// civil is a calendar date without a time zone.
type civil struct{ y, m, d int }

// ord orders civil dates as one comparable integer.
func (c civil) ord() int { return c.y*10000 + c.m*100 + c.d }

func (c civil) String() string {
	var b [10]byte
	return string(appendCivil(b[:0], c))
}

func appendCivil(b []byte, c civil) []byte {
	b = append(b, byte('0'+c.y/1000%10), byte('0'+c.y/100%10), byte('0'+c.y/10%10), byte('0'+c.y%10), '-')
	b = append(b, byte('0'+c.m/10), byte('0'+c.m%10), '-')
	return append(b, byte('0'+c.d/10), byte('0'+c.d%10))
}

// addDays returns the date n days after c.
func (c civil) addDays(n int) civil {
	y, m, d := time.Date(c.y, time.Month(c.m), c.d+n, 0, 0, 0, 0, time.UTC).Date()
	return civil{y, int(m), d}
}

func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, int(m), d}
}

// dateTime is a scanned date with an optional time of day and UTC offset.
type dateTime struct {
	date           civil
	hour, min, sec int
	nsec           int
	hasOffset      bool
	offset         int // seconds east of UTC
}

// in returns the instant; without an offset the wall clock is read in loc.
func (v dateTime) in(loc *time.Location) time.Time {
	if v.hasOffset {
		zone := time.UTC
		if v.offset != 0 {
			zone = time.FixedZone("", v.offset)
		}
		return time.Date(v.date.y, time.Month(v.date.m), v.date.d, v.hour, v.min, v.sec, v.nsec, zone).In(loc)
	}
	return time.Date(v.date.y, time.Month(v.date.m), v.date.d, v.hour, v.min, v.sec, v.nsec, loc)
}

// dateIn returns the calendar date of v as seen in loc.
func (v dateTime) dateIn(loc *time.Location) civil {
	if !v.hasOffset {
		return v.date
	}
	return civilOf(v.in(loc))
}

// ParseDate reads a date as people write it in a sheet and returns midnight
// of that day in loc (UTC when loc is nil). It accepts
//
//   - year first: 2026-11-29, 2026/11/29, 2026.11.29, 2026/1/5, 2026年11月29日
//     (日 or 号 optional);
//   - compact: 20261129;
//   - year last: 11/29/2026 (month first, as Google Sheets shows dates in
//     the en_US locale), read day first when the first part is over 12
//     (29/11/2026) or when the separator is a dot (29.11.2026);
//   - a sheet date serial such as 46355 (days since 1899-12-30; only whole
//     or decimal numbers between 18264 and 109574, 1950 to 2199);
//
// each optionally followed by a time of day, which is ignored (see
// ParseDateTime). Full-width digits and separators are accepted. Year-last
// dates are ambiguous between locales; snapshots that keep typed values
// avoid the question.
func ParseDate(s string, loc *time.Location) (time.Time, bool) {
	v, ok := scanDateTime(s)
	if !ok {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	c := v.dateIn(loc)
	return time.Date(c.y, time.Month(c.m), c.d, 0, 0, 0, 0, loc), true
}

// ParseDateTime reads a date as ParseDate does, optionally followed (after a
// space or T) by a time of day H:MM, H:MM:SS or H:MM:SS.fff, optionally
// followed by Z or a UTC offset (+08:00, +0800). A time without an offset is
// wall-clock time in loc (UTC when nil); a date alone is midnight. A serial
// with a fraction carries the time of day (46355.5 is noon).
func ParseDateTime(s string, loc *time.Location) (time.Time, bool) {
	v, ok := scanDateTime(s)
	if !ok {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	return v.in(loc), true
}

func scanDateTime(s string) (dateTime, bool) {
	s = foldWidth(strings.TrimSpace(s))
	if s == "" {
		return dateTime{}, false
	}
	if v, ok := scanSerial(s); ok {
		return v, true
	}
	c, rest, ok := scanDate(s)
	if !ok {
		return dateTime{}, false
	}
	v := dateTime{date: c}
	if rest == "" {
		return v, true
	}
	return scanTime(v, rest)
}

// scanSerial reads a plain number in the serial range.
func scanSerial(s string) (dateTime, bool) {
	n, i := digits(s, 0, 7)
	if i == 0 || n < minSerial || n > maxSerial {
		return dateTime{}, false
	}
	var frac float64
	if i < len(s) {
		if s[i] != '.' || i+1 == len(s) {
			return dateTime{}, false
		}
		f, err := strconv.ParseFloat(s[i:], 64)
		if err != nil || f < 0 || f >= 1 || strings.ContainsAny(s[i:], "eE+-") {
			return dateTime{}, false
		}
		frac = f
	}
	return withDayFraction(dateTime{date: serialEpoch.addDays(n)}, frac), true
}

// scanDate reads a written date at the start of s and returns the rest.
func scanDate(s string) (civil, string, bool) {
	a, i := digits(s, 0, 8)
	switch {
	case i == 4: // year first
		y := a
		sep, w := sepAt(s, i)
		if w == 0 {
			return civil{}, "", false
		}
		m, j := digits(s, i+w, 2)
		if j == i+w {
			return civil{}, "", false
		}
		want := sep
		if sep == '年' {
			want = '月'
		}
		sep2, w2 := sepAt(s, j)
		if w2 == 0 || sep2 != want {
			return civil{}, "", false
		}
		d, k := digits(s, j+w2, 2)
		if k == j+w2 {
			return civil{}, "", false
		}
		if sep == '年' {
			if r, w3 := utf8.DecodeRuneInString(s[k:]); r == '日' || r == '号' {
				k += w3
			}
		}
		c := civil{y, m, d}
		return c, s[k:], validDate(c)
	case i == 8: // compact YYYYMMDD
		c := civil{a / 10000, a / 100 % 100, a % 100}
		return c, s[i:], validDate(c)
	case i == 1 || i == 2: // year last
		sep, w := sepAt(s, i)
		if w == 0 || sep == '年' {
			return civil{}, "", false
		}
		b, j := digits(s, i+w, 2)
		if j == i+w {
			return civil{}, "", false
		}
		sep2, w2 := sepAt(s, j)
		if sep2 != sep {
			return civil{}, "", false
		}
		y, k := digits(s, j+w2, 4)
		if k-(j+w2) != 4 {
			return civil{}, "", false
		}
		c := civil{y, a, b} // month first
		if sep == '.' || a > 12 {
			c = civil{y, b, a}
		}
		return c, s[k:], validDate(c)
	}
	return civil{}, "", false
}

// sepAt returns the date separator at s[i] and its width, 0 when there is none.
func sepAt(s string, i int) (rune, int) {
	if i >= len(s) {
		return 0, 0
	}
	switch s[i] {
	case '-', '/', '.':
		return rune(s[i]), 1
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	if r == '年' || r == '月' {
		return r, w
	}
	return 0, 0
}

// scanTime reads the time of day that may follow a date.
func scanTime(v dateTime, rest string) (dateTime, bool) {
	i := 0
	for i < len(rest) && rest[i] == ' ' {
		i++
	}
	if i == 0 {
		if rest[0] != 'T' && rest[0] != 't' {
			return v, false
		}
		i = 1
	}
	h, j := digits(rest, i, 2)
	if j == i || j >= len(rest) || rest[j] != ':' {
		return v, false
	}
	m, k := digits(rest, j+1, 2)
	if k-(j+1) != 2 {
		return v, false
	}
	v.hour, v.min = h, m
	if k < len(rest) && rest[k] == ':' {
		sec, l := digits(rest, k+1, 2)
		if l-(k+1) != 2 {
			return v, false
		}
		v.sec, k = sec, l
		if k < len(rest) && rest[k] == '.' {
			start := k + 1
			k = start
			ns := 0
			for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
				if k-start < 9 {
					ns = ns*10 + int(rest[k]-'0')
				}
				k++
			}
			if k == start {
				return v, false
			}
			for n := k - start; n < 9; n++ {
				ns *= 10
			}
			v.nsec = ns
		}
	}
	if v.hour > 23 || v.min > 59 || v.sec > 59 {
		return v, false
	}
	rest = rest[k:]
	if len(rest) > 1 && rest[0] == ' ' && (rest[1] == '+' || rest[1] == '-' || rest[1] == 'Z') {
		rest = rest[1:]
	}
	switch {
	case rest == "":
		return v, true
	case rest == "Z" || rest == "z":
		v.hasOffset = true
		return v, true
	case rest[0] == '+' || rest[0] == '-':
		oh, a := digits(rest, 1, 2)
		if a != 3 {
			return v, false
		}
		b := a
		if b < len(rest) && rest[b] == ':' {
			b++
		}
		om, c := digits(rest, b, 2)
		if c-b != 2 || c != len(rest) || oh > 14 || om > 59 {
			return v, false
		}
		v.hasOffset, v.offset = true, (oh*3600 + om*60)
		if rest[0] == '-' {
			v.offset = -v.offset
		}
		return v, true
	}
	return v, false
}

func validDate(c civil) bool {
	if c.y < 1000 || c.m < 1 || c.m > 12 || c.d < 1 {
		return false
	}
	return c.d <= time.Date(c.y, time.Month(c.m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// digits reads at most max ASCII digits of s from i and returns their value
// and the index after them.
func digits(s string, i, max int) (int, int) {
	n, j := 0, i
	for j < len(s) && j-i < max && s[j] >= '0' && s[j] <= '9' {
		n = n*10 + int(s[j]-'0')
		j++
	}
	return n, j
}

// ParseNumber reads a number as people write it: an optional sign, an
// optional currency sign (¥ ￥ $ € £) before or a 元 after, digits with
// optional thousands separators in groups of three (1,234,567.5), an
// optional exponent (1e3, not together with separators), and an optional
// trailing % that divides by 100. Accounting negatives "(1,234)" and
// full-width digits are accepted. Spaces inside the number are not.
func ParseNumber(s string) (float64, bool) {
	s = foldWidth(strings.TrimSpace(s))
	neg := false
	if len(s) > 2 && s[0] == '(' && s[len(s)-1] == ')' {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	sign := func() {
		if s != "" && (s[0] == '-' || s[0] == '+') {
			neg = neg != (s[0] == '-')
			s = s[1:]
		} else if strings.HasPrefix(s, "−") { // U+2212 minus sign
			neg, s = !neg, s[len("−"):]
		}
	}
	sign()
	if c := currencyPrefix(s); c > 0 {
		s = strings.TrimLeft(s[c:], " ")
		sign()
	}
	percent := false
	switch {
	case strings.HasSuffix(s, "%"):
		percent, s = true, strings.TrimRight(s[:len(s)-1], " ")
	case strings.HasSuffix(s, "元"):
		s = strings.TrimRight(s[:len(s)-len("元")], " ")
	}
	f, ok := parseDecimal(s)
	if !ok {
		return 0, false
	}
	if percent {
		f /= 100
	}
	if neg {
		f = -f
	}
	return f, true
}

func currencyPrefix(s string) int {
	for _, p := range [...]string{"¥", "￥", "$", "€", "£"} {
		if strings.HasPrefix(s, p) {
			return len(p)
		}
	}
	return 0
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseDecimal reads unsigned digits with optional grouping, fraction and
// exponent. Numbers of up to 15 significant digits and 22 decimals are
// computed exactly without strconv (one correctly rounded division, the
// classic fast path); the rest go through strconv.
func parseDecimal(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	var mant uint64
	nd, frac := 0, 0 // significant digits, digits after the point
	grouped, point, exp := false, false, false
	group := -1 // digits in the current group once a separator was seen
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if mant != 0 || c != '0' {
				nd++
			}
			if nd <= 19 {
				mant = mant*10 + uint64(c-'0')
			}
			if point {
				frac++
			} else if group >= 0 {
				group++
			}
		case c == ',' && !point:
			if i == 0 || (group >= 0 && group != 3) || (group < 0 && i > 3) {
				return 0, false
			}
			grouped, group = true, 0
		case c == '.' && !point:
			if group >= 0 && group != 3 {
				return 0, false
			}
			point, group = true, -1
		case (c == 'e' || c == 'E') && !grouped:
			exp = true
		default:
			return 0, false
		}
		if exp {
			break
		}
	}
	if group >= 0 && group != 3 {
		return 0, false
	}
	digitsSeen := i - strings.Count(s[:i], ",")
	if point {
		digitsSeen--
	}
	if digitsSeen == 0 {
		return 0, false
	}
	if !exp && nd <= 15 && frac <= 22 {
		f := float64(mant)
		if frac > 0 {
			f /= pow10[frac]
		}
		return f, true
	}
	text := s
	if grouped {
		text = strings.ReplaceAll(s, ",", "")
	}
	if exp {
		e := s[i+1:]
		if e != "" && (e[0] == '+' || e[0] == '-') {
			e = e[1:]
		}
		if e == "" || strings.IndexFunc(e, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// maxExactInt is the largest integer a float64 holds exactly (2^53).
const maxExactInt = 1 << 53

// ParseInteger reads a whole number written as ParseNumber accepts it
// (1,200 and ¥300 are integers; 1.5 and 50% are not). Values beyond ±2^53
// are rejected because the sheet itself cannot hold them exactly.
func ParseInteger(s string) (int64, bool) {
	f, ok := ParseNumber(s)
	if !ok || f != math.Trunc(f) || math.Abs(f) > maxExactInt {
		return 0, false
	}
	return int64(f), true
}

// ParseBool reads a yes/no cell: TRUE/FALSE in any case (what a Sheets
// checkbox shows), T/F, yes/no, Y/N, 1/0, and 是/否. Anything else, including
// an empty cell, is not a bool.
func ParseBool(s string) (value, ok bool) {
	s = foldWidth(strings.TrimSpace(s))
	switch s {
	case "是":
		return true, true
	case "否":
		return false, true
	}
	if len(s) > 5 {
		return false, false
	}
	for _, w := range [...]string{"true", "t", "yes", "y", "1"} {
		if strings.EqualFold(s, w) {
			return true, true
		}
	}
	for _, w := range [...]string{"false", "f", "no", "n", "0"} {
		if strings.EqualFold(s, w) {
			return false, true
		}
	}
	return false, false
}

// IsEmail reports whether s is a bare e-mail address (name@example.com): no
// display name, no angle brackets, a domain with at least two labels and a
// top-level part of two or more letters. Unquoted local parts are checked by
// a scan of the RFC 5322 dot-atom form; quoted ones ("a b"@example.com) by
// net/mail. Internationalised addresses (张三@例子.中国) are accepted;
// full-width forms and CJK punctuation are not, because there they are
// input-method slips (张三＠corp.cn) that no mail server accepts.
func IsEmail(s string) bool {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || len(s) > 254 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if !isHostname(domain, true) {
		return false
	}
	if local[0] == '"' {
		// net/mail returns the address unquoted; the checks around it
		// refuse display names, angle brackets and comments.
		a, err := mail.ParseAddress(s)
		return err == nil && a.Name == "" && !strings.ContainsAny(s, "<>()") && strings.HasSuffix(a.Address, "@"+domain)
	}
	if len(local) > 64 || local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for i := 0; i < len(local); {
		c := local[i]
		if c >= utf8.RuneSelf {
			r, w := utf8.DecodeRuneInString(local[i:])
			if !wordRune(r) {
				return false
			}
			i += w
			continue
		}
		if !isAtext(c) && c != '.' {
			return false
		}
		i++
	}
	return true
}

func isAtext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// wordRune reports whether a non-ASCII rune may appear in an address or
// host name: not white space, not a full-width form, not CJK punctuation.
func wordRune(r rune) bool {
	switch {
	case r == utf8.RuneError, r == 0x3000, r >= 0x3001 && r <= 0x303F,
		r >= 0xFF00 && r <= 0xFFEF, r == 0x00A0, r >= 0x2000 && r <= 0x206F:
		return false
	}
	return true
}

// isHostname checks a DNS name of two or more labels (letters, digits,
// hyphens not at either end, non-ASCII for IDNs). The last label must not be
// all digits, so 1.2.3.4 is not a host name; when tld is true it must also
// be two or more characters.
func isHostname(h string, tld bool) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	labels, start := 0, 0
	allDigits := true
	for i := 0; i <= len(h); {
		if i == len(h) || h[i] == '.' {
			n := i - start
			if n == 0 || n > 63 || h[start] == '-' || h[i-1] == '-' {
				return false
			}
			labels++
			if i == len(h) {
				if allDigits || (tld && utf8.RuneCountInString(h[start:i]) < 2) {
					return false
				}
				break
			}
			i++
			start, allDigits = i, true
			continue
		}
		c := h[i]
		switch {
		case c >= '0' && c <= '9':
			i++
			continue
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
			i++
		case c >= utf8.RuneSelf:
			r, w := utf8.DecodeRuneInString(h[i:])
			if !wordRune(r) {
				return false
			}
			i += w
		default:
			return false
		}
		allDigits = false
	}
	return labels >= 2
}

// IsURL reports whether s is a web address: http:// or https:// (any case),
// a host (a DNS name of two or more labels, localhost, an IPv4 address or a
// bracketed IPv6 address), an optional port, then any path, query and
// fragment without spaces. Addresses with user info (user@host) are
// rejected: in a customer sheet they are mistakes or phishing.
func IsURL(s string) bool {
	s = strings.TrimSpace(s)
	var rest string
	switch {
	case len(s) > 7 && strings.EqualFold(s[:7], "http://"):
		rest = s[7:]
	case len(s) > 8 && strings.EqualFold(s[:8], "https://"):
		rest = s[8:]
	default:
		return false
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host, tail := rest[:end], rest[end:]
	for i := 0; i < len(tail); {
		c := tail[i]
		if c <= ' ' || c == 0x7f {
			return false
		}
		if c >= utf8.RuneSelf {
			r, w := utf8.DecodeRuneInString(tail[i:])
			if r == utf8.RuneError || r == 0x3000 || r == 0x00A0 {
				return false
			}
			i += w
			continue
		}
		i++
	}
	if strings.HasPrefix(host, "[") {
		j := strings.IndexByte(host, ']')
		if j < 0 {
			return false
		}
		a, err := netip.ParseAddr(host[1:j])
		if err != nil || !a.Is6() {
			return false
		}
		return validPort(host[j+1:])
	}
	if j := strings.LastIndexByte(host, ':'); j >= 0 {
		if !validPort(host[j:]) {
			return false
		}
		host = host[:j]
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if strings.Trim(host, "0123456789.") == "" {
		// Only digits and dots: an IPv4 address or nothing (parsing
		// anything else would allocate an error).
		a, err := netip.ParseAddr(host)
		return err == nil && a.Is4()
	}
	return isHostname(host, false)
}

// validPort checks "" or ":" followed by a port number.
func validPort(p string) bool {
	if p == "" {
		return true
	}
	if p[0] != ':' || len(p) < 2 || len(p) > 6 {
		return false
	}
	n, j := digits(p, 1, 5)
	return j == len(p) && n > 0 && n <= 65535
}

// IsPhone reports whether s is a phone number in one of the forms Chinese
// customer data holds:
//
//   - a mainland mobile number, 1[3-9] and 9 more digits (138 0013 8000),
//     optionally after +86, 0086 or 86;
//   - a landline with its area code: 010 and 02x take 8-digit numbers
//     (010-6552 9988), other area codes 7 or 8 (0755-8888 6666), optionally
//     after +86 without the leading 0 (+86 10 6552 9988);
//   - a 400 or 800 service number of 10 digits (400-820-8820);
//   - an international number in E.164 form, + or 00, the country code and
//     8 to 15 digits in all (+852 2345 6789), exactly 11 for North America
//     (+1 415 555 2671);
//
// each written with any spaces, dashes, dots and parentheses, with
// full-width digits, and optionally followed by an extension of up to 6
// digits (转123, 分机123, ext. 123, x123, #123, or -123 after a complete
// landline). Numbers without an area code (6552 9988) are rejected: nobody
// outside the city can dial them.
func IsPhone(s string) bool {
	s = foldWidth(strings.TrimSpace(s))
	main, ok := cutExtension(s)
	if !ok {
		return false
	}
	var buf [24]byte
	d := buf[:0]
	plus := false
	lastDash := -1 // digits before the last dash
	for i := 0; i < len(main); i++ {
		c := main[i]
		switch {
		case c >= '0' && c <= '9':
			if len(d) == len(buf) {
				return false
			}
			d = append(d, c)
		case c == '+':
			if plus || len(d) > 0 {
				return false
			}
			plus = true
		case c == '-':
			lastDash = len(d)
		case c == ' ' || c == '.' || c == '(' || c == ')':
		default:
			return false
		}
	}
	if phoneDigits(d, plus) {
		return true
	}
	// 010-6552 9988-123: a short group after the last dash of a complete
	// landline or service number is an extension.
	if n := len(d) - lastDash; lastDash > 0 && n >= 1 && n <= 6 && !plus {
		m := d[:lastDash]
		if len(m) > 4 && string(m[:4]) == "0086" {
			m = m[4:]
			return landline(m) || landlineNoTrunk(m) || service(m)
		}
		return landline(m) || service(m)
	}
	return false
}

// cutExtension returns s without a trailing extension marked by 转, 分机,
// ext, x or #; ok is false when a marker is followed by something other
// than 1 to 6 digits.
func cutExtension(s string) (string, bool) {
	cut := -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '#':
			cut = i
		case c == 'x' || c == 'X':
			cut = i
		case (c == 'e' || c == 'E') && i+2 < len(s) && strings.EqualFold(s[i:i+3], "ext"):
			cut = i
		case c >= utf8.RuneSelf && (strings.HasPrefix(s[i:], "转") || strings.HasPrefix(s[i:], "分机")):
			cut = i
		}
		if cut >= 0 {
			break
		}
	}
	if cut < 0 {
		return s, true
	}
	ext := s[cut:]
	switch {
	case strings.HasPrefix(ext, "转"):
		ext = ext[len("转"):]
	case strings.HasPrefix(ext, "分机"):
		ext = ext[len("分机"):]
	case len(ext) >= 3 && strings.EqualFold(ext[:3], "ext"):
		ext = ext[3:]
	default:
		ext = ext[1:]
	}
	ext = strings.TrimLeft(ext, ".: ")
	_, j := digits(ext, 0, 7)
	if j == 0 || j > 6 || j != len(ext) {
		return "", false
	}
	return strings.TrimRight(s[:cut], " "), true
}

func phoneDigits(d []byte, plus bool) bool {
	if len(d) == 0 {
		return false
	}
	intl := plus
	if !plus && len(d) > 2 && d[0] == '0' && d[1] == '0' {
		d, intl = d[2:], true
	}
	if intl {
		if len(d) > 2 && d[0] == '8' && d[1] == '6' {
			m := d[2:]
			return mobile(m) || service(m) || landline(m) || landlineNoTrunk(m)
		}
		if d[0] == '1' { // North America: +1 and ten digits
			return len(d) == 11
		}
		return len(d) >= 8 && len(d) <= 15 && d[0] != '0'
	}
	if len(d) == 13 && d[0] == '8' && d[1] == '6' && mobile(d[2:]) {
		return true
	}
	return mobile(d) || service(d) || landline(d)
}

func mobile(d []byte) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}

func service(d []byte) bool {
	return len(d) == 10 && (string(d[:3]) == "400" || string(d[:3]) == "800")
}

func landline(d []byte) bool {
	return len(d) > 1 && d[0] == '0' && landlineNoTrunk(d[1:])
}

// landlineNoTrunk checks an area code without its leading 0 and the local
// number: 10 and 2x take 8 digits, 3xx to 9xx take 7 or 8; local numbers
// start with 2 to 9.
func landlineNoTrunk(d []byte) bool {
	if len(d) < 2 {
		return false
	}
	area, lo, hi := 3, 7, 8
	switch {
	case d[0] == '1' && d[1] == '0', d[0] == '2':
		area, lo = 2, 8
	case d[0] < '3':
		return false
	}
	n := len(d) - area
	return n >= lo && n <= hi && d[area] >= '2'
}

// foldWidth maps full-width ASCII forms (U+FF01 to U+FF5E, as Chinese input
// methods produce them) and the ideographic space to their ASCII
// counterparts. It returns s itself when there is nothing to map, so the
// common case does not allocate.
func foldWidth(s string) string {
	i := indexWide(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			b.WriteByte(byte(r - 0xFEE0))
		case r == 0x3000:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func indexWide(s string) int {
	for i := 0; i < len(s); i++ {
		// U+FF01–U+FF5E encode as EF BC 81–EF BD 9E; U+3000 as E3 80 80.
		switch s[i] {
		case 0xEF:
			if i+2 < len(s) && (s[i+1] == 0xBC && s[i+2] >= 0x81 || s[i+1] == 0xBD && s[i+2] <= 0x9E) {
				return i
			}
		case 0xE3:
			if i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x80 {
				return i
			}
		}
	}
	return -1
}
