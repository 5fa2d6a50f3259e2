package audit

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Locales of findings and of the Needs Review tab.
const (
	LocaleEnglish = "en"
	LocaleChinese = "zh-CN"
)

// catalog holds the texts of one locale. Messages are fmt formats whose
// arguments are, in order: the column, the quoted value, then what the
// message names. Each says what is wrong and what is expected, in words a
// person who never saw a regular expression understands.
type catalog struct {
	quote    func(string) string
	listSep  string
	or, and  string
	required string
	types    map[string]string // by column type
	enum     string
	pattern  string
	min, max string
	minLen   string
	maxLen   string
	before   string
	after    string
	today    string
	daysAgo  string
	daysOn   string
	unique   string
	refSame  string
	refOther string
	rowRule  string
	cond     string
	noColumn string
	noTab    string
	noRefCol string

	// The Needs Review tab.
	severities [3]string
	header     []string
	firstLine  string
	more       string

	// The Needs Review work list (ReviewCells): column titles by role,
	// the first line, the bad-paste alarm and built-in rule names.
	review     reviewLabels
	rules      map[string]string // built-in rule ids → what the Rule column shows
	typeRule   string            // "type:date" → fmt with the localised type
	typeNames  map[string]string
	badPaste   string
	badPasteBy string

	// Shape problems of a table (Table.ProblemsIn).
	noHeaderName string
	noKey        string
	dupKey       string
	beyondHeader string

	// The Change Log tab.
	changeLog changeLogLabels
}

// reviewLabels are the texts of the Needs Review work list.
type reviewLabels struct {
	severity, row, key, owner, customer, column, rule, value, message, link string
	firstLine                                                               string // produced, rows checked, errors, warnings, info
	byOwner                                                                 string // the owners' counts
	noOwner                                                                 string
	more                                                                    string
	open                                                                    string // shown text of a link: "%s" is the cell address
}

// changeLogLabels are the texts of the Change Log tab.
type changeLogLabels struct {
	header    []string
	kinds     map[ChangeKind]string
	continued string // a continuation row's kind: "%s" is the kind
	baseline  string // the first snapshot's kind
	size      string // the first snapshot's rows and columns
	summary   string // the kind of the row that says how many were left out
	more      string // how many were left out and how to see them
	pairSep   string // between column: value pairs
	pairColon string
	restore   restoreLabels
	// The access audit: the Column of sharing changes and findings, how
	// link and domain sharing are named, and Drive's roles.
	sharing string
	anyone  string
	domain  string // "%s" is the domain
	roles   map[string]string
}

// restoreLabels are the texts of the Change Log rows of a restore.
type restoreLabels struct {
	from    string // Snapshot cell of a restored row: version, source version, who (who first: the cell may show cut)
	why     string // the same with the reason
	into    string // a restore's own row: version, tab, how
	newTab  string // the same for a restore into a new tab: version, tab
	modes   map[string]string
	rows    string // a selective restore's rows: "%s" is the list
	columns string // its columns
	changes string // how many changes it made
	nobody  string // who, when the record names nobody
}

var english = &catalog{
	quote:    strconv.Quote,
	listSep:  ", ",
	or:       " or ",
	and:      " and ",
	required: "%[1]s is empty; it must be filled in",
	types: map[string]string{
		TypeInteger:  "%[1]s %[2]s is not a whole number: expected digits like 42 or 1,200",
		TypeNumber:   "%[1]s %[2]s is not a number: expected a number like 1234.5, 1,234.5 or ¥1,234",
		TypeDate:     "%[1]s %[2]s is not a date: expected a date like 2026-11-29, 2026/11/29 or 2026年11月29日",
		TypeDateTime: "%[1]s %[2]s is not a date and time: expected a form like 2026-11-29 14:30 or 2026/11/29 14:30:00",
		TypeBool:     "%[1]s %[2]s is not a yes/no value: expected TRUE or FALSE (yes/no and 是/否 also work)",
		TypeEmail:    "%[1]s %[2]s is not an e-mail address: expected a form like name@example.com, without spaces or full-width characters",
		TypePhone:    "%[1]s %[2]s is not a phone number: expected a mainland mobile like 138 0013 8000, a landline like 010-6552 9988, or +country number",
		TypeURL:      "%[1]s %[2]s is not a web address: expected a link starting with http:// or https://, like https://www.example.com",
	},
	enum:     "%[1]s %[2]s is not one of the allowed values: %[3]s",
	pattern:  "%[1]s %[2]s does not have the expected format (it must match %[3]s)",
	min:      "%[1]s %[2]s is less than the minimum %[3]s",
	max:      "%[1]s %[2]s is more than the maximum %[3]s",
	minLen:   "%[1]s %[2]s is too short: %[3]d characters, at least %[4]d needed",
	maxLen:   "%[1]s %[2]s is too long: %[3]d characters, at most %[4]d allowed",
	before:   "%[1]s %[2]s is too early: it must be on or after %[3]s",
	after:    "%[1]s %[2]s is too late: it must be on or before %[3]s",
	today:    "%s (today)",
	daysAgo:  "%s (%d days before today)",
	daysOn:   "%s (%d days after today)",
	unique:   "%[1]s %[2]s also appears on row %[3]d; each value must be unique",
	refSame:  "%[1]s %[2]s does not match any %[3]s in this tab",
	refOther: "%[1]s %[2]s does not match any %[3]s in tab %[4]q",
	rowRule:  "%[1]s is empty; it is required when %[2]s (rule %[3]s)",
	cond:     "%[1]s is %[2]s",
	noColumn: "column %[1]q named in the rules is not in the header",
	noTab:    "tab %[1]q, which %[2]s refers to, was not read; check the tab name in the rules",
	noRefCol: "column %[1]q, which %[2]s refers to, is not in the header of tab %[3]q",

	severities: [3]string{"error", "warning", "info"},
	header:     []string{"Severity", "Row", "Key", "Column", "Rule", "Value", "Message", "Link"},
	firstLine:  "Produced %[1]s · %[2]d rows checked · errors: %[3]d · warnings: %[4]d · info: %[5]d",
	more:       "%d more findings are not listed here; run sheetaudit validate to see them all",

	review: reviewLabels{
		severity: "Severity", row: "Row", key: "Key", owner: "Owner", customer: "Customer",
		column: "Column", rule: "Rule", value: "Value", message: "Message", link: "Link",
		firstLine: "Produced %[1]s · %[2]d rows checked · errors: %[3]d · warnings: %[4]d · info: %[5]d",
		byOwner:   " · by owner: %s",
		noOwner:   "(no owner)",
		more:      "%d more findings are not listed here; run sheetaudit validate to see them all",
		open:      "open %s",
	},
	// Rule ids show as they are in English: they are what the
	// configuration and sheetaudit validate call the rules.
	rules:      nil,
	typeRule:   "type:%s",
	typeNames:  nil,
	badPaste:   "Column %[1]s: %[2]d of its %[3]d filled cells changed in one cycle (%[4]s → %[5]s) — a paste over the whole column? If it was a mistake, undo it with: %[6]s",
	badPasteBy: "Column %[1]s: %[2]d of its %[3]d filled cells changed in one cycle (%[4]s → %[5]s), last edited by %[7]s — a paste over the whole column? If it was a mistake, undo it with: %[6]s",

	noHeaderName: "column %[1]s has no header name; it is tracked as %[2]q",
	noKey:        "row %[1]d has no %[2]s; it is tracked by its position until one is filled in",
	dupKey:       "%[1]s %[2]q on row %[3]d is also on row %[4]d; keys must be unique",
	beyondHeader: "row %[1]d has values right of the last named column %[2]s; they are not audited",

	changeLog: changeLogLabels{
		header: []string{"Time", "Change", "Key", "Column", "Old value", "New value", "Snapshot", "Cycle"},
		kinds: map[ChangeKind]string{
			RowAdded: "row added", RowRemoved: "row removed", CellModified: "cell modified",
			ColumnAdded: "column added", ColumnRemoved: "column removed", ColumnRenamed: "column renamed",
			ValueRecalculated: "formula result changed", HeaderChanged: "header changed", Restored: "restored",
			AccessAdded: "access added", AccessRemoved: "access removed", AccessChanged: "access changed",
		},
		continued: "%s (continued)",
		baseline:  "baseline",
		size:      "%[1]d rows, %[2]d columns",
		summary:   "summary",
		more:      "%[1]d more changes not listed; run: sheetaudit snapshots diff %[2]s %[3]s",
		pairSep:   "; ",
		pairColon: ": ",
		sharing:   accessColumn,
		anyone:    "anyone with the link",
		domain:    "domain %s",
		roles: map[string]string{
			"owner": "owner", "organizer": "organizer", "fileOrganizer": "fileOrganizer",
			"writer": "writer", "commenter": "commenter", "reader": "reader",
		},
		restore: restoreLabels{
			from:    "restored by %[3]s from %[2]s · %[1]s",
			why:     "restored by %[3]s from %[2]s: %[4]s · %[1]s",
			into:    "snapshot %[1]s restored into tab %[2]q (%[3]s)",
			newTab:  "snapshot %[1]s copied into the new tab %[2]q; the data tab was not changed",
			modes:   map[string]string{RestoreInPlace: "the whole tab", RestoreSelective: "selected cells"},
			rows:    "rows %s",
			columns: "columns %s",
			changes: "%d changes",
			nobody:  "unknown",
		},
	},
}

var chinese = &catalog{
	quote:    func(s string) string { return "“" + s + "”" },
	listSep:  "、",
	or:       "或",
	and:      "且",
	required: "%[1]s为必填项，不能为空",
	types: map[string]string{
		TypeInteger:  "%[1]s%[2]s不是整数：应为整数，如 42 或 1,200",
		TypeNumber:   "%[1]s%[2]s不是有效的数字：应为数字，如 1234.5、1,234.5 或 ¥1,234",
		TypeDate:     "%[1]s%[2]s不是有效的日期：应为日期，如 2026-11-29、2026/11/29 或 2026年11月29日",
		TypeDateTime: "%[1]s%[2]s不是有效的日期时间：应为 2026-11-29 14:30 或 2026/11/29 14:30:00 这样的格式",
		TypeBool:     "%[1]s%[2]s不是有效的是/否值：应为 TRUE 或 FALSE（也可填 是/否）",
		TypeEmail:    "%[1]s%[2]s不是有效的邮箱地址：应为 name@example.com 这样的格式，不含空格和全角字符",
		TypePhone:    "%[1]s%[2]s不是有效的电话号码：应为手机号（如 138 0013 8000）、座机（如 010-6552 9988）或带国家码的号码",
		TypeURL:      "%[1]s%[2]s不是有效的网址：应以 http:// 或 https:// 开头，如 https://www.example.com",
	},
	enum:     "%[1]s%[2]s不在允许的取值中：%[3]s",
	pattern:  "%[1]s%[2]s格式不正确：应符合 %[3]s",
	min:      "%[1]s%[2]s小于最小值 %[3]s",
	max:      "%[1]s%[2]s大于最大值 %[3]s",
	minLen:   "%[1]s%[2]s太短：共 %[3]d 个字符，至少需要 %[4]d 个",
	maxLen:   "%[1]s%[2]s太长：共 %[3]d 个字符，最多允许 %[4]d 个",
	before:   "%[1]s%[2]s太早：应不早于 %[3]s",
	after:    "%[1]s%[2]s太晚：应不晚于 %[3]s",
	today:    "%s（今天）",
	daysAgo:  "%s（今天之前 %d 天）",
	daysOn:   "%s（今天之后 %d 天）",
	unique:   "%[1]s%[2]s与第 %[3]d 行重复：该列的值不能重复",
	refSame:  "%[1]s%[2]s在本表的“%[3]s”列中不存在",
	refOther: "%[1]s%[2]s在“%[4]s”表的“%[3]s”列中不存在",
	rowRule:  "%[1]s为空：当%[2]s时必须填写（规则：%[3]s）",
	cond:     "%[1]s为%[2]s",
	noColumn: "规则中的列“%[1]s”不在表头中",
	noTab:    "%[2]s引用的表“%[1]s”未能读取，请检查规则中的表名",
	noRefCol: "%[2]s引用的列“%[1]s”不在“%[3]s”表的表头中",

	severities: [3]string{"错误", "警告", "提示"},
	header:     []string{"严重程度", "行", "键", "列", "规则", "值", "说明", "链接"},
	firstLine:  "生成于 %[1]s · 已检查 %[2]d 行 · 错误 %[3]d 条 · 警告 %[4]d 条 · 提示 %[5]d 条",
	more:       "另有 %d 条问题未在此列出；运行 sheetaudit validate 查看全部",

	review: reviewLabels{
		severity: "严重程度", row: "行号", key: "键", owner: "负责人", customer: "客户",
		column: "列", rule: "规则", value: "值", message: "说明", link: "链接",
		firstLine: "生成于 %[1]s · 已检查 %[2]d 行 · 错误 %[3]d 条 · 警告 %[4]d 条 · 提示 %[5]d 条",
		byOwner:   " · 按负责人：%s",
		noOwner:   "（无负责人）",
		more:      "另有 %d 条问题未在此列出；运行 sheetaudit validate 查看全部",
		open:      "打开 %s",
	},
	rules: map[string]string{
		"key": "键", "header": "表头", RuleStale: "超期", RuleDueSoon: "即将超期",
		RuleMissingColumn: "缺少列", RuleMissingTab: "缺少表", RuleBadPaste: "疑似整列误粘贴",
		"required": "必填", "enum": "允许的取值", "pattern": "格式", "min": "最小值",
		"max": "最大值", "min_length": "最短长度", "max_length": "最长长度",
		"not_before": "最早日期", "not_after": "最晚日期", "unique": "唯一", "references": "引用",
		RuleAccessAnyone: "链接公开", RuleAccessDomain: "全域共享", RuleAccessOutside: "域外账号",
		RuleAccessWriters: "编辑者过多", RuleChangeLogDeleted: "变更日志行被删除",
		RuleChangeLogEdited: "变更日志行被修改", RuleChangeLogReordered: "变更日志行被移动",
	},
	typeRule: "类型：%s",
	typeNames: map[string]string{
		TypeInteger: "整数", TypeNumber: "数字", TypeDate: "日期", TypeDateTime: "日期时间",
		TypeBool: "是/否", TypeEmail: "邮箱", TypePhone: "电话", TypeURL: "网址",
	},
	badPaste:   "“%[1]s”列：本轮有 %[2]d 个单元格被修改（该列共 %[3]d 个非空单元格，%[4]s → %[5]s），疑似整列误粘贴。如属误操作，可用以下命令撤销：%[6]s",
	badPasteBy: "“%[1]s”列：本轮有 %[2]d 个单元格被修改（该列共 %[3]d 个非空单元格，%[4]s → %[5]s），最后修改人：%[7]s，疑似整列误粘贴。如属误操作，可用以下命令撤销：%[6]s",

	noHeaderName: "第 %[1]s 列没有表头名称，暂按“%[2]s”跟踪",
	noKey:        "第 %[1]d 行缺少%[2]s，在填写之前按行位置跟踪",
	dupKey:       "第 %[3]d 行的%[1]s“%[2]s”与第 %[4]d 行重复：键必须唯一",
	beyondHeader: "第 %[1]d 行在最后一个有名称的列 %[2]s 右侧还有内容，这些内容不会被核查",

	changeLog: changeLogLabels{
		header: []string{"时间", "变更类型", "键", "列", "原值", "新值", "快照", "轮次"},
		kinds: map[ChangeKind]string{
			RowAdded: "新增行", RowRemoved: "删除行", CellModified: "修改单元格",
			ColumnAdded: "新增列", ColumnRemoved: "删除列", ColumnRenamed: "列重命名",
			ValueRecalculated: "公式结果变化", HeaderChanged: "表头变更", Restored: "已恢复",
			AccessAdded: "新增权限", AccessRemoved: "移除权限", AccessChanged: "权限变更",
		},
		continued: "%s（续）",
		baseline:  "基线",
		size:      "%[1]d 行，%[2]d 列",
		summary:   "汇总",
		more:      "另有 %[1]d 条变更未列出；运行：sheetaudit snapshots diff %[2]s %[3]s",
		pairSep:   "；",
		pairColon: "：",
		sharing:   "共享设置",
		anyone:    "任何获得链接的人",
		domain:    "域 %s",
		roles: map[string]string{
			"owner": "所有者", "organizer": "管理员", "fileOrganizer": "内容管理员",
			"writer": "编辑者", "commenter": "评论者", "reader": "查看者",
		},
		restore: restoreLabels{
			from:    "操作人：%[3]s，从 %[2]s 恢复 · %[1]s",
			why:     "操作人：%[3]s，从 %[2]s 恢复，原因：%[4]s · %[1]s",
			into:    "已将快照 %[1]s 恢复到“%[2]s”表（%[3]s）",
			newTab:  "已将快照 %[1]s 复制到新表“%[2]s”，数据表未改动",
			modes:   map[string]string{RestoreInPlace: "整表恢复", RestoreSelective: "部分恢复"},
			rows:    "行：%s",
			columns: "列：%s",
			changes: "%d 处变更",
			nobody:  "未知",
		},
	},
}

// catalogFor returns the catalog of a locale; ok is false for a locale
// without one. "zh", "zh_CN" and "zh-Hans" count as zh-CN; "" as English.
func catalogFor(locale string) (*catalog, bool) {
	switch strings.ToLower(strings.ReplaceAll(locale, "_", "-")) {
	case "", "en", "en-us", "en-gb":
		return english, true
	case "zh", "zh-cn", "zh-hans", "zh-hans-cn":
		return chinese, true
	}
	return english, false
}

// severity returns the localised name of s.
func (c *catalog) severity(s Severity) string {
	if s < Error || s > Info {
		s = Info
	}
	return c.severities[s]
}

// messageValueLimit caps the runes of a cell value quoted in a finding's
// message, and messageLimit the runes of a message built from a
// configured template: a message is one cell of the Needs Review tab,
// which holds at most 50,000 characters.
const (
	messageValueLimit = 40
	messageLimit      = 1000
)

// value quotes a cell value for a message, shortened so that a pasted
// paragraph does not drown the message.
func (c *catalog) value(v string) string { return c.quote(shorten(v, messageValueLimit)) }

// list joins values for a message, quoted, at most max of them.
func (c *catalog) list(vs []string, max int) string {
	var b strings.Builder
	for i, v := range vs {
		if i == max {
			b.WriteString(c.listSep + "…")
			break
		}
		if i > 0 {
			b.WriteString(c.listSep)
		}
		b.WriteString(c.quote(v))
	}
	return b.String()
}

// shorten cuts s to at most n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) {
		if count == n {
			return s[:i] + "…"
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
		count++
	}
	return s
}

// ruleName is what the Rule column shows for a rule id: built-in ids in the
// catalog's words ("type:date" → "type: date"), a configured row rule's own
// name as it is.
func (c *catalog) ruleName(rule string) string {
	if n, ok := c.rules[rule]; ok {
		return n
	}
	if t, ok := strings.CutPrefix(rule, "type:"); ok && c.typeNames != nil {
		if n, ok := c.typeNames[t]; ok {
			return fmt.Sprintf(c.typeRule, n)
		}
	}
	return rule
}

// kind is what the Change column shows for a change kind.
func (c *catalog) kind(k ChangeKind) string {
	if n, ok := c.changeLog.kinds[k]; ok {
		return n
	}
	return string(k)
}

// role is how a Drive role (writer, reader, …) reads.
func (c *catalog) role(r string) string {
	if n, ok := c.changeLog.roles[r]; ok {
		return n
	}
	return r
}
