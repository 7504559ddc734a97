// Package bolt is a rotor.Store kept in one file with go.etcd.io/bbolt: the
// store of a single rotor server, and the default of `rotor serve`.
//
//	st, err := bolt.Open("rotor.db") // created mode 0600 if missing
//	defer st.Close()
//	svc := rotor.New(encrypted.New(st, keys)) // values encrypted at rest
//
// # Which store to pick
//
//   - rotor.MemoryStore (root package): tests and throw-away servers. Nothing
//     survives the process.
//   - bolt (this package): one process on one machine. Every Save and Delete is
//     one fsync'd bbolt transaction, so an acknowledged write survives a crash
//     or a power cut; reads never touch the disk beyond the memory map. Only one
//     process can have the file open: a second Open fails with ErrLocked
//     after a short wait instead of hanging.
//   - store/postgres: several rotor servers sharing one database.
//   - store/encrypted wraps any of them to keep values encrypted at rest.
//
// # Layout of the file
//
// Bucket "records" holds one nested bucket per region ("region/" + region),
// mapping a secret's name to its record: a header (the revision, 8 bytes
// big-endian, then the keys of the secret in the indexes below, so that
// a save finds its old index entries without decoding; see keys.go), then
// the secret as rotor.EncodeSecret serialized it. The sequence of the
// "records" bucket is the store-wide revision counter: it is incremented
// inside every saving transaction and never goes back, so a revision is
// never handed out twice, even to a secret deleted and created again.
//
// Bucket "order" holds the listing index, one nested bucket per region,
// whose keys are CreatedDate then name, so that bbolt's byte order is the
// listing order (CreatedDate, then Name byte by byte). A time is 8 bytes of
// Unix seconds big-endian with the sign bit flipped, then 4 bytes of
// nanoseconds: it orders every time.Time, the zero time included, which Unix
// nanoseconds in an int64 could not. List seeks that index, so a page costs
// the same whatever the number of secrets.
//
// Buckets "changed" and "accessed" hold the indexes of LastChangedDate
// and LastAccessedDate the same way (time key, then name). With "order"
// and the records themselves (by name), they let ListSorted
// (rotor.SortedLister) walk every ListSecrets order, either way, from a
// page's position. Open upgrades a file of the layout before them ("1")
// by adding them, in one transaction; a rotor that reads only layout "1"
// then refuses the file.
//
// Bucket "due" holds the scheduler's index the same way, keyed by
// rotor.DueAt then name, for the secrets the scheduler must look at some
// day: ListDue (rotor.DueLister) reads it from the start up to now. The
// meta bucket records the rule the index was built with; Open rebuilds the
// index of a file whose rule is not this rotor's.
//
// The record values are secret values in the clear unless the store is
// wrapped by store/encrypted; the file is created with mode 0600.
package bolt
