package gen

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sheetaudit/sheetaudit/examples/clientgen"
)

// Spec sizes a generated sheet.
type Spec struct {
	// Rows is the number of data rows under the header.
	Rows int
	// Cols is the number of columns; 12 is the reference width.
	// Up to 14 the columns are a subset of clientgen's; beyond, extra
	// columns a CRM export typically has (grade, source, English name,
	// credit code, …) are added.
	Cols int
	Seed int64
	// Base is the day the data was "exported": follow-up dates fall in the
	// 120 days before it.
	Base time.Time
}

// preference orders clientgen's columns by how much the audit uses them:
// a sheet narrower than 14 keeps the first ones, so the 12-column sheet
// drops only 联系人姓名 and 地址 and keeps every column the rules check.
var preference = []string{
	clientgen.ColID, clientgen.ColName, clientgen.ColGroup, clientgen.ColPhone, clientgen.ColEmail,
	clientgen.ColIndustry, clientgen.ColStage, clientgen.ColOwner, clientgen.ColFollowUp,
	clientgen.ColAmount, clientgen.ColContract, clientgen.ColNote, clientgen.ColContact, clientgen.ColAddress,
}

// extra is a column beyond clientgen's, with how its cells are made.
type extra struct {
	name string
	cell func(r *clientgen.RNG, id int, base time.Time) string
}

var extras = []extra{
	{"客户等级", func(r *clientgen.RNG, _ int, _ time.Time) string {
		return clientgen.Pick(r, []string{"A", "B", "B", "C", "C", "C", "D"})
	}},
	{"来源渠道", func(r *clientgen.RNG, _ int, _ time.Time) string {
		return clientgen.Pick(r, []string{"展会", "官网", "转介绍", "电话营销", "合作伙伴", "广告投放", "LinkedIn", "老客户"})
	}},
	{"英文名称", func(r *clientgen.RNG, _ int, _ time.Time) string {
		return clientgen.Pick(r, latinBrands) + " " + clientgen.Pick(r, latinKinds) + " Co., Ltd."
	}},
	{"统一社会信用代码", func(r *clientgen.RNG, _ int, _ time.Time) string {
		const alnum = "0123456789ABCDEFGHJKLMNPQRTUWXY"
		b := []byte("91")
		for range 6 {
			b = append(b, byte('0'+r.Intn(10)))
		}
		for range 10 {
			b = append(b, alnum[r.Intn(len(alnum))])
		}
		return string(b)
	}},
	{"创建日期", func(r *clientgen.RNG, _ int, base time.Time) string {
		return base.AddDate(0, 0, -120-r.Intn(1500)).Format(clientgen.DateLayout)
	}},
	{"员工人数", func(r *clientgen.RNG, _ int, _ time.Time) string { return strconv.Itoa(10 + r.Intn(20000)) }},
	{"年营收(万元)", func(r *clientgen.RNG, _ int, _ time.Time) string {
		return strconv.FormatFloat(float64(100+r.Intn(5000000))/100, 'f', 2, 64)
	}},
	{"官网", func(r *clientgen.RNG, id int, _ time.Time) string {
		return "https://www." + strings.ToLower(clientgen.Pick(r, latinBrands)) + strconv.Itoa(id) + clientgen.Pick(r, []string{".com", ".cn", ".com.cn"}) + "/"
	}},
	{"微信号", func(r *clientgen.RNG, id int, _ time.Time) string {
		return "wxid_" + strings.ToLower(clientgen.Pick(r, latinBrands)) + strconv.Itoa(id%997)
	}},
	{"邮编", func(r *clientgen.RNG, _ int, _ time.Time) string { return fmt.Sprintf("%06d", 100000+r.Intn(750000)) }},
	{"下次跟进日期", func(r *clientgen.RNG, _ int, base time.Time) string {
		if r.Intn(4) == 0 {
			return ""
		}
		return base.AddDate(0, 0, 1+r.Intn(30)).Format(clientgen.DateLayout)
	}},
	{"标签", func(r *clientgen.RNG, _ int, _ time.Time) string {
		tags := []string{"重点客户", "集团总部", "续约", "招投标", "价格敏感", "VIP", "需拜访", "华东", "华南", "海外业务"}
		n := r.Intn(3)
		out := make([]string, 0, n)
		for range n {
			out = append(out, clientgen.Pick(r, tags))
		}
		return strings.Join(out, ",")
	}},
}

var (
	latinBrands = []string{"Huaxin", "Yuanhang", "Mingde", "Kangning", "Tiancheng", "Zhongke", "Dongfang",
		"Changjiang", "Jinqiao", "Ruifeng", "Haitian", "Xinghe", "Boyuan", "Hengtong"}
	latinKinds = []string{"Technology", "Trading", "Logistics", "Manufacturing", "Medical", "Education",
		"Investment", "Software", "Energy", "Foods"}
)

// Header returns the column names of a sheet cols wide.
func Header(cols int) []string {
	h, _ := layout(cols)
	return h
}

// layout returns the header and, for each column, the index of the
// clientgen column it takes (or -1-k for extra column k).
func layout(cols int) ([]string, []int) {
	cg := clientgen.Header()
	keep := map[string]bool{}
	for _, name := range preference[:min(cols, len(preference))] {
		keep[name] = true
	}
	var header []string
	var src []int
	for i, name := range cg {
		if keep[name] {
			header = append(header, name)
			src = append(src, i)
		}
	}
	for k := 0; len(header) < cols; k++ {
		if k < len(extras) {
			header = append(header, extras[k].name)
		} else {
			header = append(header, "扩展字段"+strconv.Itoa(k-len(extras)+1))
		}
		src = append(src, -1-k)
	}
	return header, src
}

// Sheet returns the header and s.Rows data rows. The rows are clientgen's
// (same names, phones, stages, deliberate mistakes and blank row), cut or
// widened to s.Cols columns.
func Sheet(s Spec) [][]string {
	base := clientgen.Rows(s.Seed, s.Rows, s.Base)
	_, src := layout(s.Cols)
	r := clientgen.NewRNG(s.Seed ^ 0x5eed)
	out := make([][]string, len(base))
	out[0] = Header(s.Cols)
	for i, row := range base[1:] {
		out[i+1] = widen(r, row, src, i+1, s.Base)
	}
	return out
}

// widen maps a clientgen row onto the columns of src.
func widen(r *clientgen.RNG, row []string, src []int, id int, base time.Time) []string {
	out := make([]string, len(src))
	blank := isBlank(row)
	for c, j := range src {
		switch {
		case j >= 0:
			out[c] = row[j]
		case blank:
		case -1-j < len(extras):
			out[c] = extras[-1-j].cell(r, id, base)
		default:
			out[c] = clientgen.Pick(r, fillers) + strconv.Itoa(r.Intn(1000))
		}
	}
	return out
}

var fillers = []string{"备用", "n/a", "待补充", "see note", "已核实", "pending", "—", "内部编号"}

// Stats counts what Churn changed.
type Stats struct {
	Edited  int `json:"edited_rows"`
	Cells   int `json:"edited_cells"`
	Added   int `json:"added_rows"`
	Removed int `json:"removed_rows"`
}

// Churn returns the next version of values (header first): share of the
// data rows changed, of which 60% edited (one or two cells: a follow-up
// date moved to a recent day, or a value taken from another row so it
// stays realistic), 20% removed and 20% added (half appended at the end,
// half inserted at random places, as people do). New rows get new ids
// after the largest one. Unchanged rows share their slices with values.
func Churn(values [][]string, share float64, seed int64, base time.Time) ([][]string, Stats) {
	var st Stats
	if len(values) < 2 || share <= 0 {
		return slices.Clone(values), st
	}
	r := clientgen.NewRNG(seed)
	header := values[0]
	data := values[1:]
	n := int(math.Round(share * float64(len(data))))
	if n == 0 {
		n = 1
	}
	nAdd, nDel := n/5, n/5
	nEdit := n - nAdd - nDel

	// Choose distinct rows to edit and to remove; blank rows stay as they are.
	order := r.Perm(len(data))
	edit := map[int]bool{}
	del := map[int]bool{}
	for _, i := range order {
		if len(edit) == nEdit && len(del) == nDel {
			break
		}
		if isBlank(data[i]) {
			continue
		}
		if len(edit) < nEdit {
			edit[i] = true
		} else {
			del[i] = true
		}
	}
	editable := editableColumns(header)
	date := slices.Index(header, clientgen.ColFollowUp)
	added := newRows(values, nAdd, seed, base)
	st.Added = len(added)
	// Every other new row goes in before a random data row, the rest at
	// the end.
	before := map[int][][]string{}
	var tail [][]string
	for k, row := range added {
		if k%2 == 0 {
			tail = append(tail, row)
			continue
		}
		at := r.Intn(len(data))
		before[at] = append(before[at], row)
	}

	out := make([][]string, 0, len(values)+nAdd)
	out = append(out, header)
	for i, row := range data {
		out = append(out, before[i]...)
		switch {
		case del[i]:
			st.Removed++
			continue
		case edit[i]:
			row = slices.Clone(row)
			cells := 1 + r.Intn(2)
			for range cells {
				c := editable[r.Intn(len(editable))]
				old := row[c]
				if c == date {
					row[c] = base.AddDate(0, 0, -r.Intn(7)).Format(clientgen.DateLayout)
				} else {
					// Another row's value keeps the edit realistic; an
					// empty one would make it a deletion.
					for try := 0; try < 20 && (row[c] == old || row[c] == ""); try++ {
						row[c] = data[r.Intn(len(data))][c]
					}
				}
				if row[c] == old {
					row[c] = old + "（已更新）"
				}
			}
			st.Edited++
			st.Cells += cells
		}
		out = append(out, row)
	}
	return append(out, tail...), st
}

// InsertTop returns values with one new row right under the header: the
// case that must not make every stored chunk new.
func InsertTop(values [][]string, seed int64, base time.Time) [][]string {
	row := newRows(values, 1, seed, base)
	out := make([][]string, 0, len(values)+1)
	out = append(out, values[0])
	out = append(out, row...)
	return append(out, values[1:]...)
}

// newRows makes n rows in the shape of values' header, with ids after the
// largest id in values.
func newRows(values [][]string, n int, seed int64, base time.Time) [][]string {
	if n == 0 {
		return nil
	}
	header := values[0]
	idCol := slices.Index(header, clientgen.ColID)
	next := 0
	if idCol >= 0 {
		for _, row := range values[1:] {
			if idCol < len(row) && strings.HasPrefix(row[idCol], "C") {
				if v, err := strconv.Atoi(row[idCol][1:]); err == nil && v > next {
					next = v
				}
			}
		}
	}
	// clientgen places its deliberate mistakes and a blank row in the
	// first 200 rows; new rows come from past them.
	const skip = 200
	src := clientgen.Rows(seed, skip+n, base)[1+skip:]
	_, cols := layout(len(header))
	r := clientgen.NewRNG(seed ^ 0xadd)
	out := make([][]string, 0, n)
	for _, row := range src {
		next++
		w := widen(r, row, cols, next, base)
		if idCol >= 0 {
			w[idCol] = fmt.Sprintf("C%05d", next)
		}
		out = append(out, w)
	}
	return out
}

// followUp are the columns people edit when they follow a customer up;
// names, ids and groups stay put, as they do in a real sheet.
var followUp = map[string]bool{
	clientgen.ColContact: true, clientgen.ColPhone: true, clientgen.ColEmail: true, clientgen.ColAddress: true,
	clientgen.ColStage: true, clientgen.ColOwner: true, clientgen.ColFollowUp: true, clientgen.ColAmount: true,
	clientgen.ColNote: true, "客户等级": true, "下次跟进日期": true, "标签": true,
}

// editableColumns are the follow-up columns of header, or every column
// but the id when the sheet has none of them.
func editableColumns(header []string) []int {
	var cols, other []int
	for i, h := range header {
		switch {
		case followUp[h]:
			cols = append(cols, i)
		case h != clientgen.ColID:
			other = append(other, i)
		}
	}
	if len(cols) == 0 {
		cols = other
	}
	if len(cols) == 0 {
		cols = []int{0}
	}
	return cols
}

func isBlank(row []string) bool {
	for _, c := range row {
		if c != "" {
			return false
		}
	}
	return true
}

// WriteCSV writes values to path (RFC 4180, UTF-8 without BOM), creating
// the folder. The emulator loads a .csv as one tab named after the file.
func WriteCSV(path string, values [][]string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(values); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}
