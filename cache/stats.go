package cache

import "sync/atomic"

// Stats counts what a Cache did since New, for metrics.
type Stats struct {
	// Hits are Gets answered from memory, without waiting for a call.
	Hits int64
	// Misses are Gets and Refreshes that waited for a call.
	Misses int64
	// Describes and Reads are the DescribeSecret and GetSecretValue calls made.
	Describes int64
	Reads     int64
	// Failures are the calls that failed.
	Failures int64
	// Evictions are entries dropped to keep within WithMaxEntries.
	Evictions int64
	// Entries is how many entries the cache holds now.
	Entries int
}

// counters are the Stats kept outside c.mu, by the calls.
type counters struct {
	describes, reads, failures atomic.Int64
}

// Stats returns the counts so far.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{
		Hits: c.hits, Misses: c.misses, Evictions: c.evictions, Entries: c.size,
		Describes: c.counters.describes.Load(), Reads: c.counters.reads.Load(), Failures: c.counters.failures.Load(),
	}
}
