package encrypted

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/rotorkit/rotor"
)

// Inspection is what Inspect found in a store's records.
type Inspection struct {
	// Secrets is the number of secrets read.
	Secrets int
	// Sealed is the number of values stored as envelopes.
	Sealed int
	// Plain is the number of values stored as something other than an
	// envelope: written without this wrapper, or damaged.
	Plain int
	// Regions are the regions read; Complete says whether they are all the
	// store's (the store is a rotor.RegionLister).
	Regions  []string
	Complete bool
	// KeyIDs are the master key ids that envelopes name, sorted.
	KeyIDs []string
	// Missing are the ids of KeyIDs that the keyring lacks, sorted: the
	// values sealed under them cannot be read.
	Missing []string
	// Wrong are the ids of KeyIDs whose key in the keyring does not open
	// the data key of an envelope sealed under that id, sorted: the keyring
	// holds another key under the same id (another store's keys file, say).
	Wrong []string
	// Examples names one secret ("region/name") for each id of Missing and
	// Wrong, for messages.
	Examples map[string]string
}

// OK reports whether every value found can be decrypted with the keyring.
func (in Inspection) OK() bool { return len(in.Missing) == 0 && len(in.Wrong) == 0 && in.Plain == 0 }

// Inspect reads every secret of inner, the store that New wraps (so its
// values are envelopes), in every region when inner is a rotor.RegionLister and
// otherwise in the regions given, and reports the master key ids its
// envelopes name and which of them keys lacks or holds with another key. It
// decrypts no value: for each key id, it opens the data key of one envelope
// to tell a right key from a wrong one. It changes nothing, and it costs a
// read of every secret, so call it at start, not per request.
func Inspect(ctx context.Context, inner rotor.Store, keys *Keyring, regions ...string) (Inspection, error) {
	in := Inspection{Examples: map[string]string{}}
	if rl, ok := inner.(rotor.RegionLister); ok {
		all, err := rl.Regions(ctx)
		switch {
		case err == nil:
			regions, in.Complete = all, true
		case !errors.Is(err, errors.ErrUnsupported):
			return Inspection{}, fmt.Errorf("encrypted: list the regions of the store: %w", err)
		}
	}
	in.Regions = append([]string(nil), regions...)
	checked := map[string]bool{} // key id -> the keyring's key opened an envelope of it
	for _, region := range in.Regions {
		var after rotor.Cursor
		for {
			page, err := inner.List(ctx, region, after, 100)
			if err != nil {
				return Inspection{}, fmt.Errorf("encrypted: list the secrets of %s: %w", region, err)
			}
			for _, s := range page {
				in.Secrets++
				in.inspectSecret(s, keys, checked)
			}
			if len(page) < 100 {
				break
			}
			after = rotor.CursorOf(page[len(page)-1])
		}
	}
	for id, ok := range checked {
		in.KeyIDs = append(in.KeyIDs, id)
		if _, has := keys.key(id); !has {
			in.Missing = append(in.Missing, id)
		} else if !ok {
			in.Wrong = append(in.Wrong, id)
		}
	}
	sort.Strings(in.KeyIDs)
	sort.Strings(in.Missing)
	sort.Strings(in.Wrong)
	return in, nil
}

// inspectSecret records the envelopes of one secret.
func (in *Inspection) inspectSecret(s *rotor.Secret, keys *Keyring, checked map[string]bool) {
	for _, v := range s.Versions {
		if v.Value.IsZero() {
			continue
		}
		if !v.Value.IsBinary() {
			in.Plain++
			continue
		}
		e, err := parseEnvelope(v.Value.Bytes())
		if err != nil {
			in.Plain++
			continue
		}
		in.Sealed++
		if checked[e.keyID] {
			continue // a key that opened one envelope is the right one
		}
		checked[e.keyID] = false
		if master, has := keys.key(e.keyID); has {
			if _, err := openDataKey(e, master, s.ARN); err == nil {
				checked[e.keyID] = true
				delete(in.Examples, e.keyID)
				continue
			}
		}
		if _, named := in.Examples[e.keyID]; !named {
			in.Examples[e.keyID] = s.Region() + "/" + s.Name
		}
	}
}
