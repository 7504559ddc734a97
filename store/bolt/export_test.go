package bolt

// SetNoSync turns fsync off or on: a benchmark fills a large store without
// waiting for a disk flush per secret, then measures with it on again.
func SetNoSync(s *Store, on bool) { s.db.NoSync = on }
