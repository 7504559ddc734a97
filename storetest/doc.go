// Package storetest is the conformance suite for rotor.Store: the cases every
// store must pass, rotor's own and users', so that the service can rely on the
// Store contract whatever keeps the records.
//
// A store runs the suite with one test function, giving a constructor that
// returns an empty store for each case:
//
//	func TestStore(t *testing.T) { storetest.Run(t, func(t *testing.T) rotor.Store { return mystore.Open(t) }) }
//
// The constructor releases what it opens through t.Cleanup. The suite checks
// round trips of every field, regions, revisions (creation, conflicts,
// uniqueness across deletion), deletion, listing order and paging, snapshot
// isolation, concurrent writers (run it with -race) and cancelled contexts.
// Its cases run one after another and avoid long runs of sequential saves, so
// a database-backed store runs it in seconds too.
//
// Two requirements catch stores by surprise: times must round-trip to the
// millisecond, and names of one CreatedDate sort byte by byte, as
// strings.Compare does (a SQL store needs a binary collation such as
// PostgreSQL's COLLATE "C").
package storetest
