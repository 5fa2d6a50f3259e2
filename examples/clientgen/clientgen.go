package clientgen

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Tab is the title of the data tab the generated workbook holds.
const Tab = "客户"

// Column names of the generated table, in order.
const (
	ColID       = "客户编号"
	ColName     = "客户名称"
	ColGroup    = "所属集团"
	ColContact  = "联系人姓名"
	ColPhone    = "联系方式"
	ColEmail    = "邮箱"
	ColAddress  = "地址"
	ColIndustry = "行业"
	ColStage    = "销售进展"
	ColOwner    = "负责人"
	ColFollowUp = "最后跟进日期"
	ColAmount   = "合同金额"
	ColContract = "合同编号"
	ColNote     = "备注"
)

// Header returns the column names of the generated table.
func Header() []string {
	return []string{ColID, ColName, ColGroup, ColContact, ColPhone, ColEmail, ColAddress,
		ColIndustry, ColStage, ColOwner, ColFollowUp, ColAmount, ColContract, ColNote}
}

// Column indexes, matching Header.
const (
	iID = iota
	iName
	iGroup
	iContact
	iPhone
	iEmail
	iAddress
	iIndustry
	iStage
	iOwner
	iFollowUp
	iAmount
	iContract
	iNote
	nCols
)

// DateLayout is how follow-up dates are written and displayed.
const DateLayout = "2006-01-02"

// FollowUpDays is the span of days before base that follow-up dates cover.
const FollowUpDays = 120

// Positions (0-based data row indexes) of the deliberate mistakes, fixed so
// that they land on the same rows whatever the seed; examples/README.md
// lists them. A mistake whose position is beyond n is left out.
const (
	MistakePhone       = 11  // malformed mobile number (10 digits)
	MistakeEmail       = 26  // e-mail without @
	MistakeDuplicateID = 57  // repeats the 客户编号 of the row above
	MistakeEmptyStage  = 72  // empty 销售进展
	MistakeIndustry    = 87  // 行业 "互联网", not in the list
	MistakeGroup       = 103 // first standalone row from here names a group that does not exist
	MistakeFutureDate  = 130 // follow-up date 40 days after base
	MistakeNoContract  = 155 // 签约完成 without 合同编号
	MistakeFormulaNote = 176 // 备注 starting with "=" (text, not a formula)
	BlankRow           = 199 // an entirely blank row inside the table
)

// MissingGroup is the 所属集团 value of the MistakeGroup row; no row has it
// as 客户名称.
const MissingGroup = "远景控股集团有限公司"

// entity is one company before it becomes a row.
type entity struct {
	name, group string
	brand       word
	industry    int
	word        word
	city        city
	owner       string
}

// Rows returns the header and n generated data rows as display strings (the
// text Excel shows for each cell), deterministic for a seed. Follow-up dates
// fall in the FollowUpDays days before base. Every row has len(Header())
// cells; the blank row has only empty ones.
func Rows(seed int64, n int, base time.Time) [][]string {
	r := NewRNG(seed)
	ents := entities(r, n)
	out := make([][]string, 0, n+1)
	out = append(out, Header())
	contracts := 0
	base = time.Date(base.Year(), base.Month(), base.Day(), 0, 0, 0, 0, time.UTC)
	next := 0 // the blank row takes no company, so none goes missing
	for i := range n {
		row := make([]string, nCols)
		if i == BlankRow {
			out = append(out, row)
			continue
		}
		e := ents[next]
		next++
		sur, given := Pick(r, surnames), Pick(r, givenNames)
		row[iID] = fmt.Sprintf("C%05d", i+1)
		row[iName] = e.name
		row[iGroup] = e.group
		row[iContact] = sur.han + given.han
		row[iPhone] = phone(r, e.city)
		row[iEmail] = email(r, sur, given, e)
		row[iAddress] = address(r, e.city)
		row[iIndustry] = industries[e.industry].name
		st := stages[weighted(r)]
		row[iStage] = st.name
		row[iOwner] = e.owner
		row[iFollowUp] = base.AddDate(0, 0, -r.Intn(FollowUpDays)).Format(DateLayout)
		if st.name == "签约完成" {
			contracts++
			row[iAmount] = strconv.Itoa((50 + r.Intn(4950)) * 1000)
			row[iContract] = fmt.Sprintf("HT-%s-%04d", row[iFollowUp][:4], contracts)
		}
		row[iNote] = st.notes[r.Intn(len(st.notes))]
		out = append(out, row)
	}
	addMistakes(out[1:], base)
	return out
}

func addMistakes(rows [][]string, base time.Time) {
	at := func(i int) []string {
		if i < len(rows) {
			return rows[i]
		}
		return nil
	}
	if row := at(MistakePhone); row != nil {
		row[iPhone] = "139 1234 567"
	}
	if row := at(MistakeEmail); row != nil {
		row[iEmail] = strings.Replace(row[iEmail], "@", "", 1)
	}
	if row := at(MistakeDuplicateID); row != nil {
		row[iID] = rows[MistakeDuplicateID-1][iID]
	}
	if row := at(MistakeEmptyStage); row != nil {
		row[iStage] = ""
		row[iAmount], row[iContract] = "", ""
	}
	if row := at(MistakeIndustry); row != nil {
		row[iIndustry] = "互联网"
	}
	for i := MistakeGroup; i < len(rows); i++ {
		if i != BlankRow && rows[i][iGroup] == "" && !strings.Contains(rows[i][iName], "集团") {
			rows[i][iGroup] = MissingGroup
			break
		}
	}
	if row := at(MistakeFutureDate); row != nil {
		row[iFollowUp] = base.AddDate(0, 0, 40).Format(DateLayout)
	}
	if row := at(MistakeNoContract); row != nil {
		row[iStage] = "签约完成"
		if row[iAmount] == "" {
			row[iAmount] = "860000"
		}
		row[iContract] = ""
		row[iNote] = "合同原件在法务处"
	}
	if row := at(MistakeFormulaNote); row != nil {
		row[iNote] = "==重点客户，优先跟进=="
	}
}

// entities builds n companies: groups with their regional subsidiaries, and
// standalone companies, in a shuffled order.
func entities(r *RNG, n int) []entity {
	used := map[string]bool{}
	brandOrder := r.Perm(len(brands))
	nGroups := min(max(1, n/12), len(brands)/2)
	var ents []entity
	regions := []string{"华东", "华南", "华北", "西南", "华中", "西北"}
	for g := range nGroups {
		b := brands[brandOrder[g]]
		ind := r.Intn(len(industries))
		owner := owners[r.Intn(len(owners))]
		suffix := []string{"集团有限公司", "控股集团有限公司"}[r.Intn(2)]
		parent := entity{name: b.han + suffix, brand: b, industry: ind, city: cities[r.Intn(len(cities))], owner: owner}
		parent.word = Pick(r, industries[ind].words)
		used[parent.name] = true
		ents = append(ents, parent)
		subs := 2 + r.Intn(5)
		for _, ri := range r.Perm(len(regions))[:min(subs, len(regions))] {
			e := entity{brand: b, industry: ind, group: parent.name, owner: owner}
			if r.Intn(10) < 3 {
				e.owner = owners[r.Intn(len(owners))]
			}
			e.city = cityIn(r, regions[ri])
			e.word = Pick(r, industries[ind].words)
			place := regions[ri]
			if r.Intn(3) == 0 {
				place = e.city.short
			}
			e.name = place + b.han + e.word.han + "有限公司"
			if used[e.name] {
				continue
			}
			used[e.name] = true
			ents = append(ents, e)
		}
	}
	standalone := brandOrder[nGroups:]
	for len(ents) < n {
		b := brands[standalone[r.Intn(len(standalone))]]
		ind := r.Intn(len(industries))
		e := entity{brand: b, industry: ind, city: cities[r.Intn(len(cities))], owner: owners[r.Intn(len(owners))]}
		e.word = Pick(r, industries[ind].words)
		e.name = e.city.short + b.han + e.word.han + "有限公司"
		// Big benchmark tables exhaust the plain names; branches keep
		// names unique without looking machine-made.
		for k := 0; used[e.name]; k++ {
			e.name = e.city.short + b.han + e.word.han + "有限公司" + Pick(r, e.city.district) + "分公司"
			if k > 3 {
				e.name = fmt.Sprintf("%s%s%s有限公司第%d分公司", e.city.short, b.han, e.word.han, len(ents))
			}
		}
		used[e.name] = true
		ents = append(ents, e)
	}
	ents = ents[:n]
	order := r.Perm(len(ents))
	shuffled := make([]entity, len(ents))
	for i, j := range order {
		shuffled[i] = ents[j]
	}
	return shuffled
}

func cityIn(r *RNG, region string) city {
	var in []city
	for _, c := range cities {
		if c.region == region {
			in = append(in, c)
		}
	}
	return in[r.Intn(len(in))]
}

func weighted(r *RNG) int {
	total := 0
	for _, s := range stages {
		total += s.weight
	}
	x := r.Intn(total)
	for i, s := range stages {
		if x < s.weight {
			return i
		}
		x -= s.weight
	}
	return len(stages) - 1
}

var mobilePrefixes = []string{"130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158", "159", "166", "177", "180", "181", "186", "187", "188", "189", "191", "199"}

// phone writes a mainland mobile or a landline of the company's city in one
// of the forms people type.
func phone(r *RNG, c city) string {
	if r.Intn(10) < 6 {
		p := Pick(r, mobilePrefixes)
		a, b := fmt.Sprintf("%04d", r.Intn(10000)), fmt.Sprintf("%04d", r.Intn(10000))
		switch r.Intn(4) {
		case 0:
			return p + " " + a + " " + b
		case 1:
			return "+86 " + p + " " + a + " " + b
		case 2:
			return "+86-" + p + a + b
		default:
			return p + a + b
		}
	}
	local := c.first + digits(r, c.digits-len(c.first))
	switch r.Intn(5) {
	case 0:
		return "+86 " + strings.TrimPrefix(c.area, "0") + " " + local
	case 1:
		return c.area + "-" + local + "-" + strconv.Itoa(800+r.Intn(100))
	default:
		return c.area + "-" + local
	}
}

func digits(r *RNG, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.Intn(10))
	}
	return string(b)
}

func email(r *RNG, sur, given word, e entity) string {
	if r.Intn(10) < 6 {
		tld := []string{".com", ".cn", ".com.cn"}[r.Intn(3)]
		local := given.pinyin + "." + sur.pinyin
		if r.Intn(2) == 0 {
			local = sur.pinyin + given.pinyin
		}
		return local + "@" + e.brand.pinyin + "-" + e.word.pinyin + tld
	}
	host := Pick(r, mailHosts)
	if host == "qq.com" {
		return strconv.Itoa(100000000+r.Intn(900000000)) + "@qq.com"
	}
	return sur.pinyin + given.pinyin + strconv.Itoa(1970+r.Intn(35)) + "@" + host
}

func address(r *RNG, c city) string {
	s := c.prefix + Pick(r, c.district) + Pick(r, streets) + strconv.Itoa(1+r.Intn(899)) + "号"
	if b := Pick(r, buildings); b != "" {
		s += b + strconv.Itoa(2+r.Intn(30)) + "层"
	}
	return s
}

// Pick is one element of list, chosen by r.
func Pick[T any](r *RNG, list []T) T { return list[r.Intn(len(list))] }

// RNG is splitmix64: tiny, and its sequence is fixed forever, unlike
// math/rand whose streams may change between Go releases and would make the
// committed example drift. bench/gen uses it too, so a seed names the same
// benchmark data on every Go release.
type RNG struct{ s uint64 }

// NewRNG starts the sequence that seed names.
func NewRNG(seed int64) *RNG { return &RNG{s: uint64(seed)} }

func (r *RNG) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Intn is the next number in [0, n); n must be positive.
func (r *RNG) Intn(n int) int { return int(r.next() % uint64(n)) }

// Perm is the next permutation of [0, n).
func (r *RNG) Perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.Intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}
