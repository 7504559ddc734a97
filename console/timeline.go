package console

import (
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/rotorkit/rotor"
)

// timeline is a secret's versions, one column each in creation order, and
// rows of moments: where every staging label sat after each change, and
// the labels that had just left a version.
type timeline struct {
	Columns []column
	Rows    []row
	// Since is the first moment this process saw, when it saw any.
	Since time.Time
}

type column struct {
	ID         string
	Created    time.Time
	Labels     []string // now
	Deprecated bool     // no label now
	Purged     bool     // gone: only the history knows it
}

type row struct {
	Time  time.Time
	What  string
	Cells []cell
	Now   bool
}

type cell struct {
	Here, Left []string
	Born       bool
}

// versionKinds are the events that can move a label or add a version. A
// step's end is not among them: what a step does is reported by its own
// events (the function's PutSecretValue and UpdateSecretVersionStage), and
// the end of finishSecret by the rotation's end that comes with it.
var versionKinds = []rotor.EventKind{
	rotor.EventCreated, rotor.EventValuePut, rotor.EventLabelMoved, rotor.EventRotationStarted,
	rotor.EventRotationFinished, rotor.EventRotationCanceled, rotor.EventVersionPurged,
}

// buildTimeline draws versions (ListSecretVersionIds, deprecated ones
// included) against the history's events; its last row is the state the
// API reports now.
func buildTimeline(versions []types.SecretVersionsListEntry, events []rotor.Event, now time.Time) timeline {
	var t timeline
	index := map[string]int{}
	for _, v := range versions {
		id := aws.ToString(v.VersionId)
		index[id] = len(t.Columns)
		t.Columns = append(t.Columns, column{ID: id, Created: aws.ToTime(v.CreatedDate), Labels: v.VersionStages, Deprecated: len(v.VersionStages) == 0})
	}
	// Versions the history saw that are gone now (purged by retention).
	for _, ev := range events {
		for _, id := range eventVersions(ev) {
			if _, ok := index[id]; !ok {
				index[id] = len(t.Columns)
				t.Columns = append(t.Columns, column{ID: id, Created: ev.Time, Purged: true})
			}
		}
	}
	sort.SliceStable(t.Columns, func(i, j int) bool { return t.Columns[i].Created.Before(t.Columns[j].Created) })
	for i, c := range t.Columns {
		index[c.ID] = i
	}
	var prev map[string][]string // version -> labels of the last row
	seen := map[string]bool{}
	addRow := func(at time.Time, what string, labels map[string][]string, isNow bool, born string) {
		r := row{Time: at, What: what, Now: isNow, Cells: make([]cell, len(t.Columns))}
		for id, i := range index {
			r.Cells[i].Here = labels[id]
			for _, l := range prev[id] {
				if !slices.Contains(labels[id], l) {
					r.Cells[i].Left = append(r.Cells[i].Left, l)
				}
			}
		}
		if i, ok := index[born]; ok && born != "" && !seen[born] {
			r.Cells[i].Born = true
			seen[born] = true
		}
		t.Rows = append(t.Rows, r)
		prev = labels
	}
	for _, ev := range events {
		if !slices.Contains(versionKinds, ev.Kind) || ev.Labels == nil && ev.Kind != rotor.EventVersionPurged {
			continue
		}
		labels := byVersion(ev.Labels)
		born := ""
		if ev.Kind == rotor.EventCreated || ev.Kind == rotor.EventValuePut || ev.Kind == rotor.EventRotationStarted {
			born = ev.VersionID
		}
		if equalLabels(labels, prev) && (born == "" || seen[born]) {
			continue // a step that moved nothing
		}
		if t.Since.IsZero() {
			t.Since = ev.Time
		}
		addRow(ev.Time, describeEvent(ev), labels, false, born)
	}
	current := map[string][]string{}
	for _, c := range t.Columns {
		if len(c.Labels) > 0 {
			current[c.ID] = c.Labels
		}
	}
	if len(t.Rows) == 0 || !equalLabels(current, prev) {
		addRow(now, "now", current, true, "")
	} else {
		t.Rows[len(t.Rows)-1].Now = true
	}
	for i := range t.Rows {
		for j := range t.Rows[i].Cells {
			slices.Sort(t.Rows[i].Cells[j].Here)
			slices.Sort(t.Rows[i].Cells[j].Left)
		}
	}
	slices.Reverse(t.Rows) // newest first: what matters is at the top
	return t
}

// eventVersions are the versions an event names.
func eventVersions(ev rotor.Event) []string {
	var ids []string
	if ev.VersionID != "" && slices.Contains(versionKinds, ev.Kind) {
		ids = append(ids, ev.VersionID)
	}
	for _, st := range ev.Labels {
		ids = append(ids, st.VersionID)
	}
	return ids
}

func byVersion(stages []rotor.Stage) map[string][]string {
	m := make(map[string][]string, len(stages))
	for _, st := range stages {
		m[st.VersionID] = append(m[st.VersionID], st.Label)
	}
	return m
}

func equalLabels(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for id, la := range a {
		lb := b[id]
		if len(la) != len(lb) {
			return false
		}
		for _, l := range la {
			if !slices.Contains(lb, l) {
				return false
			}
		}
	}
	return true
}

// describeEvent says in a few words what an event did.
func describeEvent(ev rotor.Event) string {
	switch ev.Kind {
	case rotor.EventCreated:
		return "created"
	case rotor.EventValuePut:
		return "value put"
	case rotor.EventLabelMoved:
		return "label moved"
	case rotor.EventRotationStarted:
		return "rotation started"
	case rotor.EventRotationFinished:
		return "rotation finished"
	case rotor.EventRotationCanceled:
		return "rotation canceled"
	case rotor.EventVersionPurged:
		return "version purged"
	}
	return string(ev.Kind)
}
