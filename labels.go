package rotor

import (
	"slices"
	"strings"
	"time"
)

// The staging labels that rotation gives meaning to.
const (
	// StageCurrent marks the version that reads return by default.
	StageCurrent = "AWSCURRENT"
	// StagePrevious marks the version that was AWSCURRENT before the last move.
	StagePrevious = "AWSPREVIOUS"
	// StagePending marks the version a rotation is creating.
	StagePending = "AWSPENDING"
)

// Label limits: AWS allows 20 labels across all versions of a secret and
// in one VersionStages list, of 1 to 256 characters each.
const (
	// MaxLabels is the number of staging labels a secret may carry across all
	// its versions, and the length of a VersionStages list.
	MaxLabels = 20
	// MaxLabelLength is the length limit of one label.
	MaxLabelLength = 256
)

// Stage is one staging label and the version it is on.
type Stage struct {
	Label     string
	VersionID string
}

// attachLabel puts label on version id, taking it off whatever version had
// it. When AWSCURRENT moves to another version, AWSPREVIOUS follows it to the
// version it left; every other label stays where it is.
func (s *Secret) attachLabel(label, id string) {
	if label == StageCurrent {
		if old, ok := s.StageVersion(StageCurrent); ok && old != id {
			s.setStage(StagePrevious, old)
		}
	}
	s.setStage(label, id)
}

func (s *Secret) setStage(label, id string) {
	i, found := slices.BinarySearchFunc(s.Stages, label, func(st Stage, l string) int {
		return strings.Compare(st.Label, l)
	})
	if found {
		s.Stages[i].VersionID = id
		return
	}
	s.Stages = slices.Insert(s.Stages, i, Stage{Label: label, VersionID: id})
}

// removeLabel takes label off whatever version has it.
func (s *Secret) removeLabel(label string) {
	s.Stages = slices.DeleteFunc(s.Stages, func(st Stage) bool { return st.Label == label })
}

// removeVersionLabels takes every label off version id.
func (s *Secret) removeVersionLabels(id string) {
	s.Stages = slices.DeleteFunc(s.Stages, func(st Stage) bool { return st.VersionID == id })
}

// checkLabelLimit refuses a secret that carries more labels than AWS allows.
func (s *Secret) checkLabelLimit() error {
	if len(s.Stages) > MaxLabels {
		return newError(CodeLimitExceeded, "A secret can have at most %d staging labels attached across all of its versions; this request would attach %d.", MaxLabels, len(s.Stages))
	}
	return nil
}

// labelled reports whether version id has at least one label.
func (s *Secret) labelled(id string) bool {
	for _, st := range s.Stages {
		if st.VersionID == id {
			return true
		}
	}
	return false
}

// addVersion appends v and applies the retention rule: while the secret has
// more than MaxVersions versions, the oldest deprecated versions created more
// than VersionRetention before now are dropped; if that is not enough, the
// new version is refused with LimitExceededException.
func (s *Secret) addVersion(v *Version) error {
	s.ownVersions()
	s.Versions = append(s.Versions, v)
	cutoff := v.CreatedDate.Add(-VersionRetention)
	for len(s.Versions) > MaxVersions {
		// Oldest first; the scan stops at the first droppable version, which
		// in steady state is the first one.
		i := slices.IndexFunc(s.Versions, func(old *Version) bool {
			return old != v && old.CreatedDate.Before(cutoff) && !s.labelled(old.ID)
		})
		if i < 0 {
			s.Versions = s.Versions[:len(s.Versions)-1]
			return newError(CodeLimitExceeded, "The secret %s has %d versions, the most allowed, and none of its deprecated versions is older than 24 hours to be removed. Wait before adding another version.", s.Name, len(s.Versions))
		}
		// s.Versions is this snapshot's own copy (shallowClone), so it may
		// be edited in place.
		s.Versions = slices.Delete(s.Versions, i, i+1)
	}
	return nil
}

// purgedVersions returns the ids of the versions of cur that the retention
// rule (see addVersion) dropped from next, a write at now: the versions
// gone from next that were old enough to be dropped. A write's other
// removals (the temporary version of a RotateImmediately=false check) are
// younger than VersionRetention.
func purgedVersions(cur, next *Secret, now time.Time) []string {
	if cur == nil || len(cur.Versions) < MaxVersions {
		return nil // the rule drops versions only from a secret at the limit
	}
	cutoff := now.Add(-VersionRetention)
	var ids []string
	for _, v := range cur.Versions {
		if v.CreatedDate.Before(cutoff) && next.Version(v.ID) == nil {
			ids = append(ids, v.ID)
		}
	}
	return ids
}

// dropVersion removes version id and its labels entirely.
func (s *Secret) dropVersion(id string) {
	s.removeVersionLabels(id)
	s.ownVersions()
	s.Versions = slices.DeleteFunc(s.Versions, func(v *Version) bool { return v.ID == id })
}
