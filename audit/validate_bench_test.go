package audit

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
)

// benchHeader is the 12-column customer sheet of the benchmark.
var benchHeader = []string{"客户编号", "客户名称", "所属集团", "联系方式", "邮箱", "行业",
	"销售进展", "最后跟进日期", "合同金额", "合同编号", "负责人", "官网"}

// benchRules are the rules of the example plus a uniqueness check
// on e-mail, a URL column and the row rule, so every kind of check runs.
func benchRules(b *testing.B) *Rules {
	b.Helper()
	rs := RuleSet{
		Locale: "zh-CN",
		Columns: []ColumnRule{
			{Column: "客户编号", Required: true, Pattern: `^C\d{7}$`, Unique: true},
			{Column: "客户名称", Required: true, MaxLength: valPtr(100)},
			{Column: "所属集团", References: &Reference{Column: "客户名称"}},
			{Column: "联系方式", Type: TypePhone},
			{Column: "邮箱", Type: TypeEmail, Unique: true, Severity: Warning},
			{Column: "行业", Enum: []string{"IT", "金融", "制造", "零售", "医疗", "教育", "其他"}},
			{Column: "销售进展", Required: true, Enum: []string{"初步洽谈", "需求确认", "方案报价", "商务谈判", "签约完成", "流失"}},
			{Column: "最后跟进日期", Type: TypeDate, NotAfter: "today"},
			{Column: "合同金额", Type: TypeNumber, Min: valPtr(0.0)},
			{Column: "负责人", Required: true, MinLength: valPtr(2), MaxLength: valPtr(10)},
			{Column: "官网", Type: TypeURL, Severity: Warning},
		},
		Rows: []RowRule{{Name: "签约需合同编号", When: map[string][]string{"销售进展": {"签约完成"}}, Require: []string{"合同编号"}}},
	}
	r, err := Compile(rs)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// benchTable generates n rows deterministically. With bad > 0, about one
// cell in bad of the error-prone columns holds a typical mistake (short
// phone, full-width @, impossible date, "约100万").
func benchTable(b *testing.B, n, bad int) *Table {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	surnames := []string{"华信", "远航", "明德", "康宁", "天成", "中科", "东方", "长江", "金桥", "瑞丰"}
	kinds := []string{"科技", "贸易", "物流", "制造", "医疗", "教育", "投资", "集团"}
	industries := []string{"IT", "金融", "制造", "零售", "医疗", "教育", "其他"}
	stages := []string{"初步洽谈", "需求确认", "方案报价", "商务谈判", "签约完成", "流失"}
	owners := []string{"张三", "李四", "王五", "赵六", "周七", "吴八", "郑九", "冯十"}
	mistake := func() bool { return bad > 0 && rng.IntN(bad) == 0 }
	values := make([][]string, 0, n+1)
	values = append(values, benchHeader)
	for i := range n {
		name := surnames[rng.IntN(len(surnames))] + kinds[rng.IntN(len(kinds))] + strconv.Itoa(i)
		group := ""
		if i > 0 && rng.IntN(3) == 0 {
			group = values[1+rng.IntN(i)][1] // a customer listed earlier
		}
		var phone string
		switch rng.IntN(5) {
		case 0:
			phone = fmt.Sprintf("010-%04d %04d", 2000+rng.IntN(7000), rng.IntN(10000))
		case 1:
			phone = fmt.Sprintf("+86 13%d %04d %04d", rng.IntN(10), rng.IntN(10000), rng.IntN(10000))
		case 2:
			phone = fmt.Sprintf("0755-%04d %04d 转 %d", 2000+rng.IntN(7000), rng.IntN(10000), rng.IntN(1000))
		default:
			phone = fmt.Sprintf("13%d%08d", rng.IntN(10), rng.IntN(100000000))
		}
		if mistake() {
			phone = "1381234"
		}
		email := fmt.Sprintf("user%d@corp%d.com.cn", i, rng.IntN(100))
		if mistake() {
			email = "用户＠corp.cn"
		}
		var date string
		d := rng.IntN(28) + 1
		switch rng.IntN(4) {
		case 0:
			date = fmt.Sprintf("2026-%02d-%02d", rng.IntN(11)+1, d)
		case 1:
			date = fmt.Sprintf("2026/%d/%d", rng.IntN(11)+1, d)
		case 2:
			date = fmt.Sprintf("2026年%d月%d日", rng.IntN(11)+1, d)
		default:
			date = strconv.Itoa(46000 + rng.IntN(350))
		}
		if mistake() {
			date = "2026-02-30"
		}
		amount := ""
		if rng.IntN(2) == 0 {
			amount = fmt.Sprintf("¥%d,%03d", rng.IntN(1000), rng.IntN(1000))
		}
		if mistake() {
			amount = "约100万"
		}
		stage := stages[rng.IntN(len(stages))]
		contract := ""
		if stage == "签约完成" && !mistake() {
			contract = fmt.Sprintf("HT-2026-%06d", i)
		}
		site := ""
		if rng.IntN(3) == 0 {
			site = fmt.Sprintf("https://www.corp%d.com.cn/", i)
		}
		values = append(values, []string{
			fmt.Sprintf("C%07d", i), name, group, phone, email, industries[rng.IntN(len(industries))],
			stage, date, amount, contract, owners[rng.IntN(len(owners))], site,
		})
	}
	t, err := ParseTable(values, 1, benchHeader[:1])
	if err != nil {
		b.Fatal(err)
	}
	return t
}

// BenchmarkValidate checks 12-column sheets of realistic data (one mistake
// in about 50 cells of the error-prone columns) and of valid data only.
// It reports ns/row and allocs/row besides the usual figures.
func BenchmarkValidate(b *testing.B) {
	for _, bc := range []struct {
		rows, bad int
		mix       string
	}{
		{100_000, 50, "realistic"},
		{100_000, 0, "valid"},
		{1_000_000, 50, "realistic"},
	} {
		b.Run(fmt.Sprintf("rows=%d/mix=%s", bc.rows, bc.mix), func(b *testing.B) {
			rules := benchRules(b)
			tab := benchTable(b, bc.rows, bc.bad)
			var findings int
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				findings = len(rules.Check(tab, valNow, valZone, nil))
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			perRow := float64(b.N) * float64(bc.rows)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/perRow, "ns/row")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/perRow, "allocs/row")
			b.ReportMetric(float64(findings), "findings")
		})
	}
}
