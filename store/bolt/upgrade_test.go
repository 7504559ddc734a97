package bolt_test

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/bolt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
)

// v1TimeKey is a time key as layout "1" wrote it (and this one still does).
func v1TimeKey(t time.Time) []byte {
	k := make([]byte, 12)
	binary.BigEndian.PutUint64(k, uint64(t.Unix())^(1<<63))
	binary.BigEndian.PutUint32(k[8:], uint32(t.Nanosecond()))
	return k
}

// writeV1File writes a store file of layout "1" holding secrets, as rotor
// wrote it before the LastChangedDate and LastAccessedDate indexes.
func writeV1File(t *testing.T, path string, secrets []*rotor.Secret) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	require.NoError(t, db.Update(func(tx *bbolt.Tx) error {
		records, _ := tx.CreateBucket([]byte("records"))
		order, _ := tx.CreateBucket([]byte("order"))
		_, _ = tx.CreateBucket([]byte("due"))
		meta, _ := tx.CreateBucket([]byte("meta"))
		require.NoError(t, meta.Put([]byte("format"), []byte("1")))
		require.NoError(t, meta.Put([]byte("due-index"), []byte("2")))
		for i, s := range secrets {
			region := []byte("region/" + s.Region())
			recs, err := records.CreateBucketIfNotExists(region)
			require.NoError(t, err)
			idx, err := order.CreateBucketIfNotExists(region)
			require.NoError(t, err)
			encoded, err := rotor.EncodeSecret(s)
			require.NoError(t, err)
			header := make([]byte, 8+12+1+12)
			binary.BigEndian.PutUint64(header, uint64(i+1))
			copy(header[8:], v1TimeKey(s.CreatedDate))
			require.NoError(t, recs.Put([]byte(s.Name), append(header, encoded...)))
			require.NoError(t, idx.Put(append(v1TimeKey(s.CreatedDate), s.Name...), nil))
		}
		return records.SetSequence(uint64(len(secrets)))
	}))
}

func TestOpenUpgradesAFileOfLayout1WithTheNewIndexes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rotor.db")
	base := time.Date(2024, time.March, 9, 0, 0, 0, 0, time.UTC)
	var secrets []*rotor.Secret
	for i, name := range []string{"a", "b", "c"} {
		s := &rotor.Secret{ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:" + name + "-AbCdEf", Name: name,
			CreatedDate: base.Add(time.Duration(i) * time.Second), LastChangedDate: base.Add(time.Duration(3-i) * time.Hour)}
		if name != "b" {
			s.LastAccessedDate = base.AddDate(0, 0, 3-i)
		}
		secrets = append(secrets, s)
	}
	writeV1File(t, path, secrets)

	st, err := bolt.Open(path)
	require.NoError(t, err)
	for _, c := range []struct {
		order rotor.ListOrder
		want  []string
	}{
		{rotor.ListOrder{By: rotor.SortByCreatedDate}, []string{"a", "b", "c"}},
		{rotor.ListOrder{By: rotor.SortByLastChangedDate}, []string{"c", "b", "a"}},
		{rotor.ListOrder{By: rotor.SortByLastAccessedDate, Desc: true}, []string{"a", "c", "b"}},
		{rotor.ListOrder{By: rotor.SortByName, Desc: true}, []string{"c", "b", "a"}},
	} {
		got, err := st.ListSorted(ctx, "us-east-1", c.order, rotor.ListPosition{}, 10)
		require.NoError(t, err)
		assert.Equal(t, c.want, secretNames(got), "%+v", c.order)
	}
	_, rev, err := st.Load(ctx, "us-east-1", "b")
	require.NoError(t, err)
	assert.Equal(t, rotor.Revision(2), rev, "the upgrade keeps revisions")
	b := secrets[1].Clone()
	b.LastChangedDate = base.Add(time.Hour + time.Minute)
	_, err = st.Save(ctx, b, rev)
	require.NoError(t, err)
	got, err := st.ListSorted(ctx, "us-east-1", rotor.ListOrder{By: rotor.SortByLastChangedDate}, rotor.ListPosition{}, 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"c", "b", "a"}, secretNames(got))
	require.NoError(t, st.Close())

	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	require.NoError(t, err)
	require.NoError(t, db.View(func(tx *bbolt.Tx) error {
		assert.Equal(t, "2", string(tx.Bucket([]byte("meta")).Get([]byte("format"))))
		return nil
	}))
	require.NoError(t, db.Close())
	st, err = bolt.Open(path)
	require.NoError(t, err, "an upgraded file opens again")
	require.NoError(t, st.Close())
}

func secretNames(secrets []*rotor.Secret) []string {
	out := make([]string, len(secrets))
	for i, s := range secrets {
		out[i] = s.Name
	}
	return out
}
