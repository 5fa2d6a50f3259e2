package audit

import (
	"cmp"
	"slices"
	"strings"
)

// Movement is a week's pipeline movement: the rows whose stage changed
// between the snapshot that stood at the end of last week and this week's,
// compared by key. It is computed from stored versions only, so a past
// week's movement can be rebuilt.
type Movement struct {
	// Moves counts the rows per (from, to) stage pair, most first.
	Moves []StageMove `json:"moves,omitempty"`
	// Won counts rows that reached a won stage (StalePolicy.WonStages) this
	// week; Lost those that reached an exempt stage (a lost deal).
	Won  int `json:"won"`
	Lost int `json:"lost"`
	// New counts rows added this week.
	New int `json:"new"`
	// ByOwner holds the owners with any movement, most first.
	ByOwner []OwnerMovement `json:"by_owner,omitempty"`
}

// StageMove is one (from, to) pair of a Movement.
type StageMove struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"`
}

// OwnerMovement is one owner's part of a Movement, by the owner as of this
// week.
type OwnerMovement struct {
	Owner string `json:"owner"`
	Moved int    `json:"moved"`
	Won   int    `json:"won"`
	Lost  int    `json:"lost"`
	New   int    `json:"new"`
}

// WonStages returns the stages that count as won: p.WonStages, or, when
// that is empty, the last stage of p.StageOrder that is not exempt (in
// the example, 签约完成).
func (p StalePolicy) wonStages() []string {
	if len(p.WonStages) > 0 {
		return p.WonStages
	}
	for i := len(p.StageOrder) - 1; i >= 0; i-- {
		if !slices.Contains(p.Exempt, p.StageOrder[i]) {
			return []string{p.StageOrder[i]}
		}
	}
	return nil
}

// PipelineMovement compares the table as it stood at the end of last week
// (prev) with this week's (cur): stage changes by (from, to), rows won and
// lost, rows new, and the same per owner. A row that moved twice within
// the week counts once, from its stage then to its stage now.
func PipelineMovement(prev, cur *Table, p StalePolicy) Movement {
	var m Movement
	if prev == nil || cur == nil {
		return m
	}
	psi := prev.Column(p.StageColumn)
	csi, coi := cur.Column(p.StageColumn), cur.Column(p.OwnerColumn)
	if csi < 0 {
		return m
	}
	before := make(map[string]string, len(prev.Rows))
	for _, r := range prev.Rows {
		before[r.Key] = staleCell(r, psi)
	}
	won := p.wonStages()
	moves := make(map[[2]string]int)
	owners := make(map[string]*OwnerMovement)
	owner := func(name string) *OwnerMovement {
		if owners[name] == nil {
			owners[name] = &OwnerMovement{Owner: name}
		}
		return owners[name]
	}
	for _, r := range cur.Rows {
		stage, name := staleCell(r, csi), staleCell(r, coi)
		from, seen := before[r.Key]
		if !seen {
			m.New++
			owner(name).New++
			continue
		}
		if from == stage {
			continue
		}
		moves[[2]string{from, stage}]++
		o := owner(name)
		o.Moved++
		switch {
		case slices.Contains(won, stage):
			m.Won++
			o.Won++
		case slices.Contains(p.Exempt, stage):
			m.Lost++
			o.Lost++
		}
	}
	for k, n := range moves {
		m.Moves = append(m.Moves, StageMove{From: k[0], To: k[1], Count: n})
	}
	slices.SortFunc(m.Moves, func(a, b StageMove) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.From, b.From), strings.Compare(a.To, b.To))
	})
	for _, o := range owners {
		m.ByOwner = append(m.ByOwner, *o)
	}
	slices.SortFunc(m.ByOwner, func(a, b OwnerMovement) int {
		return cmp.Or(cmp.Compare(b.Moved+b.New, a.Moved+a.New), compareOwner(a.Owner, b.Owner))
	})
	return m
}
