package snapshot

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// The generated customer sheet of the tests and benchmarks: a header and
// rows shaped like the example workbook (CJK names, phone numbers, dates,
// stages, amounts, free-text notes), reproducible from a seed.

var (
	genHeader = []string{"客户编号", "客户名称", "所属集团", "联系人", "联系方式", "邮箱", "行业", "销售进展", "负责人", "最后跟进日期", "合同金额", "备注"}
	genChars  = []rune("华为腾讯阿里巴京东美团小米百度网易字节跳动中兴联想海尔格力比亚迪万科招商平安建设工商农业银行保险证券科技信息电子网络软件数据智能云计算物流医药教育零售制造能源")
	genStages = []string{"初步洽谈", "需求确认", "方案报价", "商务谈判", "签约完成", "流失"}
	genInds   = []string{"IT", "金融", "制造", "零售", "医疗", "教育", "其他"}
	genOwners = []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"}
	genNotes  = []string{"", "", "", "客户要求下周回电", "已发送报价单", "等待法务审核", "预算有限", "对接人离职，需重新联系", "年底采购"}
)

func genWord(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteRune(genChars[r.IntN(len(genChars))])
	}
	return b.String()
}

// genRow returns data row i (0-based) of a generated sheet.
func genRow(r *rand.Rand, i int) []string {
	name := genWord(r, 2+r.IntN(3)) + "有限公司"
	group := ""
	if r.IntN(3) == 0 {
		group = genWord(r, 2) + "集团"
	}
	amount := ""
	if r.IntN(2) == 0 {
		amount = fmt.Sprintf("%d.%02d", r.IntN(2000000), r.IntN(100))
	}
	return []string{
		fmt.Sprintf("C%06d", i+1), name, group, genWord(r, 2),
		fmt.Sprintf("+86 1%02d %04d %04d", 30+r.IntN(60), r.IntN(10000), r.IntN(10000)),
		fmt.Sprintf("contact%d@example%d.cn", r.IntN(100000), r.IntN(500)),
		genInds[r.IntN(len(genInds))], genStages[r.IntN(len(genStages))], genOwners[r.IntN(len(genOwners))],
		fmt.Sprintf("2026-%02d-%02d", 1+r.IntN(11), 1+r.IntN(28)), amount, genNotes[r.IntN(len(genNotes))],
	}
}

// genSheet returns a header and rows data rows.
func genSheet(seed uint64, rows int) [][]string {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([][]string, 0, rows+1)
	out = append(out, genHeader)
	for i := range rows {
		out = append(out, genRow(r, i))
	}
	return out
}

// churn returns a copy of values in which frac of the data rows have one or
// two cells edited, as a sales team does between two cycles.
func churn(r *rand.Rand, values [][]string, frac float64) [][]string {
	out := slices.Clone(values)
	n := int(float64(len(values)-1) * frac)
	for range n {
		i := 1 + r.IntN(len(values)-1)
		row := slices.Clone(out[i])
		row[9] = fmt.Sprintf("2026-11-%02d", 1+r.IntN(28))
		if r.IntN(2) == 0 {
			row[7] = genStages[r.IntN(len(genStages))]
		}
		if r.IntN(4) == 0 {
			row[11] = genNotes[r.IntN(len(genNotes))] + genWord(r, 4)
		}
		out[i] = row
	}
	return out
}
