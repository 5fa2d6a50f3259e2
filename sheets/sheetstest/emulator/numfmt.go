package emulator

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Number formats (userEnteredFormat.numberFormat) change what a number cell
// shows: FORMATTED_VALUE reads and formattedValue render through them, and
// DATE/TIME/DATE_TIME cells read as dates (FORMATTED_STRING). Supported:
// the number patterns sheetaudit and most sheets use (literal prefix and
// suffix, grouping "#,##0", fixed and optional decimals, percent) and date
// patterns (yyyy yy mmmm mmm mm m dd d hh h ss am/pm). Guess: the en_US
// defaults used when a pattern is empty.

var defaultPatterns = map[string]string{
	"NUMBER": "#,##0.00", "PERCENT": "0.00%", "CURRENCY": "$#,##0.00", "SCIENTIFIC": "0.00E+00",
	"DATE": "M/d/yyyy", "TIME": "h:mm:ss am/pm", "DATE_TIME": "M/d/yyyy H:mm:ss",
}

// view is the cell as reads see it: a number cell with a number format
// carries the formatted text as its display.
func (sh *sheet) view(r, c int, cl cell) cell {
	if len(sh.cellx) == 0 || (cl.k != kNumber && cl.k != kNumDisp && cl.k != kDate) {
		return cl
	}
	uf, _ := sh.cellx[[2]int{r, c}]["userEnteredFormat"].(map[string]any)
	nf, _ := uf["numberFormat"].(map[string]any)
	if nf == nil {
		return cl
	}
	typ, _ := nf["type"].(string)
	pattern, _ := nf["pattern"].(string)
	if pattern == "" {
		pattern = defaultPatterns[typ]
	}
	_, canon := cl.split()
	f, err := strconv.ParseFloat(canon, 64)
	if err != nil || typ == "TEXT" || pattern == "" {
		return cl
	}
	var shown string
	k := kNumDisp
	switch typ {
	case "DATE", "TIME", "DATE_TIME":
		shown, k = formatSerial(f, pattern), kDate
	default:
		if isDatePattern(pattern) {
			shown, k = formatSerial(f, pattern), kDate
		} else {
			shown = formatNumber(f, pattern)
		}
	}
	return cell{s: shown + "\x00" + canon, k: k}
}

func isDatePattern(p string) bool {
	p = strings.ToLower(stripQuoted(p))
	return strings.ContainsAny(p, "ydhs") && !strings.ContainsAny(p, "#0")
}

func stripQuoted(p string) string {
	var b strings.Builder
	quoted := false
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '"':
			quoted = !quoted
		case !quoted:
			b.WriteByte(p[i])
		}
	}
	return b.String()
}

// literal turns a pattern's prefix or suffix into its text.
func literal(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func formatNumber(f float64, pattern string) string {
	sec := strings.Split(pattern, ";")
	p := sec[0]
	if f < 0 && len(sec) > 1 {
		p, f = sec[1], -f
	}
	start := strings.IndexAny(p, "#0")
	if start < 0 {
		return literal(p)
	}
	end := start
	for end < len(p) && strings.IndexByte("#0,.", p[end]) >= 0 {
		end++
	}
	prefix, core, suffix := literal(p[:start]), p[start:end], p[end:]
	if strings.Contains(suffix, "%") || strings.Contains(prefix, "%") {
		f *= 100
	}
	intPart, frac, _ := strings.Cut(core, ".")
	minDec := strings.Count(frac, "0")
	maxDec := minDec + strings.Count(frac, "#")
	neg := f < 0
	f = math.Abs(f)
	s := strconv.FormatFloat(f, 'f', maxDec, 64)
	whole, dec, _ := strings.Cut(s, ".")
	for len(dec) > minDec && strings.HasSuffix(dec, "0") {
		dec = dec[:len(dec)-1]
	}
	if minInt := strings.Count(intPart, "0"); len(whole) < minInt {
		whole = strings.Repeat("0", minInt-len(whole)) + whole
	} else if minInt == 0 && whole == "0" {
		whole = ""
	}
	if strings.Contains(intPart, ",") {
		var g []string
		for len(whole) > 3 {
			g = append([]string{whole[len(whole)-3:]}, g...)
			whole = whole[:len(whole)-3]
		}
		whole = strings.Join(append([]string{whole}, g...), ",")
	}
	out := whole
	if dec != "" {
		out += "." + dec
	} else if minDec == 0 && strings.HasSuffix(core, ".") {
		out += "."
	}
	if neg {
		out = "-" + out
	}
	return prefix + out + literal(suffix)
}

func formatSerial(f float64, pattern string) string {
	t := serialEpoch.Add(time.Duration(math.Round(f*86400)) * time.Second)
	p := pattern
	lower := strings.ToLower(p)
	ampm := strings.Contains(lower, "am/pm")
	var b strings.Builder
	lastWasHour := false
	for i := 0; i < len(p); {
		rest := strings.ToLower(p[i:])
		run := func(ch byte) int {
			n := 0
			for i+n < len(p) && (p[i+n]|0x20) == ch {
				n++
			}
			return n
		}
		switch {
		case p[i] == '"':
			j := strings.IndexByte(p[i+1:], '"')
			if j < 0 {
				j = len(p) - i - 1
			}
			b.WriteString(p[i+1 : i+1+j])
			i += j + 2
			continue
		case strings.HasPrefix(rest, "am/pm"):
			if t.Hour() < 12 {
				b.WriteString(p[i:i+1] + p[i+1:i+2])
			} else {
				if p[i] == 'a' {
					b.WriteString("pm")
				} else {
					b.WriteString("PM")
				}
			}
			i += 5
			continue
		case rest[0] == 'y':
			n := run('y')
			if n <= 2 {
				b.WriteString(t.Format("06"))
			} else {
				b.WriteString(t.Format("2006"))
			}
			i += n
		case rest[0] == 'm':
			n := run('m')
			minute := lastWasHour || strings.HasPrefix(strings.TrimLeft(strings.ToLower(p[i+n:]), ":"), "s")
			switch {
			case minute && n >= 2:
				b.WriteString(t.Format("04"))
			case minute:
				b.WriteString(strconv.Itoa(t.Minute()))
			case n >= 4:
				b.WriteString(t.Format("January"))
			case n == 3:
				b.WriteString(t.Format("Jan"))
			case n == 2:
				b.WriteString(t.Format("01"))
			default:
				b.WriteString(strconv.Itoa(int(t.Month())))
			}
			i += n
			lastWasHour = false
			continue
		case rest[0] == 'd':
			n := run('d')
			switch {
			case n >= 4:
				b.WriteString(t.Format("Monday"))
			case n == 3:
				b.WriteString(t.Format("Mon"))
			case n == 2:
				b.WriteString(t.Format("02"))
			default:
				b.WriteString(strconv.Itoa(t.Day()))
			}
			i += n
		case rest[0] == 'h':
			n := run('h')
			h := t.Hour()
			if ampm {
				h = (h+11)%12 + 1
			}
			if n >= 2 {
				b.WriteString(pad2(h))
			} else {
				b.WriteString(strconv.Itoa(h))
			}
			i += n
			lastWasHour = true
			continue
		case rest[0] == 's':
			n := run('s')
			if n >= 2 {
				b.WriteString(pad2(t.Second()))
			} else {
				b.WriteString(strconv.Itoa(t.Second()))
			}
			i += n
		default:
			if p[i] != ':' {
				lastWasHour = false
			}
			if p[i] != '\\' {
				b.WriteByte(p[i])
			}
			i++
			continue
		}
		lastWasHour = false
	}
	return b.String()
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
